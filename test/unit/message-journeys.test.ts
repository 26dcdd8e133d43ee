import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessageJourneys } from '../../lib/local/message-journeys.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { EXTERNAL_SOURCE } from '../../lib/messages/message-codec.ts';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import type { SettledMessage } from '../../lib/runtime/consuming/message-hooks.ts';
import type { ProcessingOutcome } from '../../lib/runtime/consuming/message-processor.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';

const topology = resolveTopology(ordersTopology, { stage: 'j' });
const queue = (id: string) => topology.queues.find((candidate) => candidate.id === id)!;

function envelope(id: string, type: string, data: unknown, correlationid = id, causationid?: string): Envelope {
  return {
    specversion: '1.0',
    id,
    source: 'orders',
    type,
    time: new Date(1_000).toISOString(),
    datacontenttype: 'application/json',
    data,
    kind: 'event',
    correlationid,
    ...(causationid !== undefined && { causationid }),
    dataversion: 1,
  } as Envelope;
}

let sqsIds = 0;
function settled(on: string, message: Envelope, receiveCount: number, outcome: Partial<ProcessingOutcome>, left = true): SettledMessage {
  const full = { envelope: message, durationMs: 4, ...outcome } as ProcessingOutcome;
  return {
    queue: queue(on),
    message: { messageId: `sqs-${++sqsIds}`, body: JSON.stringify(message), attributes: {}, receiptHandle: 'r', receiveCount },
    outcome: full,
    left,
  };
}

const handled = { status: 'processed' } as const;
const deadLettered = (error: unknown) => ({ status: 'failed', action: 'dead-letter', error, messageType: 'order.cancelled', handler: 'x' }) as const;
const retried = (error: unknown, delaySeconds: number) => ({ status: 'failed', action: 'retry', delaySeconds, error, messageType: 'order.cancelled', handler: 'x' }) as const;

describe('message journeys', () => {
  it('tells who published a message, which subscriptions took it and which filtered it out', () => {
    let clock = 2_000;
    const journeys = new MessageJourneys(topology.queues, 100, () => clock);
    const placed = envelope('m-1', 'order.placed', { orderId: 'o-1' });
    journeys.record(settled('notifications', placed, 1, handled));
    clock += 10;
    const { messages, timeline } = journeys.journeyOf('m-1')!;
    expect(messages[0]!.status).toEqual({ notifications: 'handled' });
    expect(timeline.map((hop) => [hop.kind, hop.queue])).toEqual([
      ['published', undefined],
      ['routed', 'notifications'],
      ['filtered-out', 'analytics'],
      ['attempt', 'notifications'],
    ]);
    expect(timeline[0]!.text).toBe('order.placed published by orders through Postbox');
    expect(timeline[2]!.text).toBe('filtered out by the subscription of analytics (type ∈ order.cancelled)');
    expect(timeline[3]).toMatchObject({ at: 1_996, outcome: 'handled', attempt: 1, durationMs: 4, text: 'attempt 1 on notifications (Lambda handler functions/notifications.ts): handled in 4.0 ms' });
  });

  it('follows each attempt, its backoff, its dead-lettering and a redrive that ends in handled', () => {
    const journeys = new MessageJourneys(topology.queues, 100);
    const cancelled = envelope('m-2', 'order.cancelled', { orderId: 'o-2' });
    journeys.record(settled('analytics', cancelled, 1, retried(new Error('db down'), 7)));
    journeys.record(settled('analytics', cancelled, 2, deadLettered(new UnrecoverableError('no such order'))));
    expect(journeys.journeyOf('m-2')!.messages[0]!.status).toEqual({ analytics: 'dead-lettered' });
    journeys.record(settled('analytics', cancelled, 1, handled));
    const hops = journeys.journeyOf('m-2')!.messages[0]!.hops.filter((hop) => hop.queue === 'analytics' && hop.kind !== 'routed');
    expect(hops.map((hop) => [hop.kind, hop.outcome, hop.retryInSeconds])).toEqual([
      ['attempt', 'retrying', 7],
      ['attempt', 'dead-lettered', undefined],
      ['redriven', undefined, undefined],
      ['attempt', 'handled', undefined],
    ]);
    expect(hops[1]!.reason).toEqual({ code: 'UNRECOVERABLE', message: expect.stringContaining('no such order') });
    expect(journeys.journeyOf('m-2')!.messages[0]!.status).toEqual({ analytics: 'handled' });
  });

  it('shows the messages a message caused beside it, found by any of their ids, their type or a text in their data', () => {
    const journeys = new MessageJourneys(topology.queues, 100);
    const placed = envelope('m-3', 'order.placed', { orderId: 'o-3', note: 'Gift Wrap' });
    const invoice = envelope('m-4', 'invoice.generate', { orderId: 'o-3' }, 'm-3', 'm-3');
    const first = settled('notifications', placed, 1, handled);
    journeys.record(first);
    journeys.record(settled('invoice-generate', invoice, 1, handled));
    const journey = journeys.journeyOf('m-4')!;
    expect(journey.messages.map((message) => [message.id, message.causationId])).toEqual([
      ['m-3', undefined],
      ['m-4', 'm-3'],
    ]);
    expect(journey.timeline.some((hop) => hop.message === 'm-4' && hop.text === 'sent to the queue of invoice-generate')).toBe(true);
    for (const query of ['m-3', first.message.messageId, 'gift wrap', 'order.placed']) expect(journeys.search(query).map((found) => found.id)).toContain('m-3');
    expect(journeys.search('m-3').map((found) => found.id)).toEqual(['m-4', 'm-3']);
    expect(journeys.search('nothing like it')).toEqual([]);
  });

  it('says when a message came from a plain publish, with no envelope of Postbox', () => {
    const journeys = new MessageJourneys(topology.queues, 100);
    journeys.record(settled('notifications', { ...envelope('sqs-plain', 'order.placed', {}), source: EXTERNAL_SOURCE }, 1, handled));
    expect(journeys.journeyOf('sqs-plain')!.timeline[0]!.text).toBe('order.placed published with plain SNS or SQS (no Postbox envelope)');
  });

  // Found by a new user's trial of issue 24: an unreadable body was "filtered out" by the subscriptions that took it.
  it('routes a message it could not decode by the type attribute SNS filtered on, and says the body could not be decoded', () => {
    const journeys = new MessageJourneys(topology.queues, 100);
    journeys.record({
      queue: queue('analytics'),
      message: { messageId: 'sqs-bad', body: '{not json', attributes: { type: 'order.cancelled' }, receiptHandle: 'r', receiveCount: 1 },
      outcome: { status: 'failed', action: 'dead-letter', error: new UnrecoverableError('malformed'), messageType: 'unknown', handler: 'analytics/unknown', durationMs: 1 },
      left: true,
    });
    const timeline = journeys.journeyOf('sqs-bad')!.timeline;
    expect(timeline.map((hop) => [hop.kind, hop.queue])).toEqual([
      ['published', undefined],
      ['routed', 'notifications'],
      ['routed', 'analytics'],
      ['attempt', 'analytics'],
    ]);
    expect(timeline[0]!.text).toBe('order.cancelled published with plain SNS or SQS (its body could not be decoded)');
  });

  it('keeps the last messages up to its capacity, forgetting the oldest first', () => {
    const journeys = new MessageJourneys(topology.queues, 3);
    for (let index = 1; index <= 5; index++) journeys.record(settled('notifications', envelope(`m-${index}`, 'order.placed', {}, 'shared'), 1, handled));
    expect(journeys.size).toBe(3);
    expect(journeys.journeyOf('m-2')).toBeUndefined();
    expect(journeys.journeyOf('m-5')!.messages.map((message) => message.id)).toEqual(['m-3', 'm-4', 'm-5']);
  });

  it('ignores the settlements of queues that are not its own (another system of the same process)', () => {
    const journeys = new MessageJourneys(topology.queues, 100);
    const other = resolveTopology(ordersTopology, { stage: 'other' });
    journeys.record({ ...settled('notifications', envelope('m-9', 'order.placed', {}), 1, handled), queue: other.queues[0]! });
    expect(journeys.size).toBe(0);
  });
});
