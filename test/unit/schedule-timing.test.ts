import { describe, expect, it } from 'vitest';
import { InvalidDelayError } from '../../lib/messages/message-errors.ts';
import { deliveryTiming, MAX_SCHEDULE_AHEAD_SECONDS, scheduleNameOf } from '../../lib/runtime/publishing/scheduling/schedule-timing.ts';

const now = Date.parse('2026-12-05T12:00:00Z');
const command = { messageType: 'report.build', kind: 'command', fifo: false } as const;
const event = { messageType: 'order.placed', kind: 'event', fifo: false } as const;

describe('when a message is delivered', () => {
  it('now, without delaySeconds or at, or with a delay of 0', () => {
    expect(deliveryTiming(command, now)).toEqual({ kind: 'now' });
    expect(deliveryTiming({ ...event, delaySeconds: 0 }, now)).toEqual({ kind: 'now' });
  });

  it("a command within 15 minutes by SQS's own delay, past them by a schedule", () => {
    expect(deliveryTiming({ ...command, delaySeconds: 900 }, now)).toEqual({ kind: 'sqs-delay', seconds: 900 });
    expect(deliveryTiming({ ...command, delaySeconds: 901 }, now)).toEqual({ kind: 'scheduled', at: new Date(now + 901_000) });
    expect(deliveryTiming({ ...command, at: new Date(now + 60_500) }, now)).toEqual({ kind: 'sqs-delay', seconds: 61 });
    const later = new Date(now + 20 * 60_000);
    expect(deliveryTiming({ ...command, at: later }, now)).toEqual({ kind: 'scheduled', at: later });
  });

  it('an event by a schedule, however soon: SNS has no delay', () => {
    expect(deliveryTiming({ ...event, delaySeconds: 30 }, now)).toEqual({ kind: 'scheduled', at: new Date(now + 30_000) });
  });

  it('refuses both, a fraction or a negative delay, a time past or more than a year ahead, and any delay to a FIFO destination', () => {
    const refusal = (request: Parameters<typeof deliveryTiming>[0]) => {
      try {
        deliveryTiming(request, now);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidDelayError);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal({ ...command, delaySeconds: 60, at: new Date(now) })).toContain('give either delaySeconds or at, not both');
    expect(refusal({ ...command, delaySeconds: 1.5 })).toContain('a whole number of seconds');
    expect(refusal({ ...command, delaySeconds: -1 })).toContain('a whole number of seconds');
    expect(refusal({ ...command, at: new Date(now - 1000) })).toContain('2026-12-05T11:59:59.000Z is in the past');
    expect(refusal({ ...command, at: new Date(Number.NaN) })).toContain('not a valid Date');
    expect(refusal({ ...event, delaySeconds: MAX_SCHEDULE_AHEAD_SECONDS + 1 })).toContain('at most a year');
    expect(refusal({ ...command, fifo: true, delaySeconds: 10 })).toContain('its destination is FIFO');
  });
});

describe('the name of a schedule', () => {
  it('is postbox- and the message id, so that the id cancels it; a hash for an id that is no valid name', () => {
    expect(scheduleNameOf('1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toBe('postbox-1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    const hashed = scheduleNameOf('order/42 reminder');
    expect(hashed).toMatch(/^postbox-[0-9a-f]{48}$/);
    expect(scheduleNameOf('order/42 reminder')).toBe(hashed);
    expect(scheduleNameOf('x'.repeat(60))).toHaveLength(56);
    for (const name of [hashed, scheduleNameOf('x'.repeat(60))]) expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
  });
});
