import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';

const config = fileURLToPath(new URL('../fixtures/payments-service/postbox.config.ts', import.meta.url));
const refund = { paymentId: 'p-1', amountCents: 500 };

describe('messages for later, delivered by the local system on its own clock', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ config });
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** Nothing of the message handled within a short wait: the wait times out. */
  async function notHandled(id: string) {
    await expect(system.waitFor(id, { timeoutMs: 1500 })).rejects.toMatchObject({ code: 'WAIT_TIMED_OUT' });
  }

  it('delivers a command sent 20 minutes ahead (past SQS delays) when its time comes, and not before', async () => {
    const sent = await system.send('refund.issue', refund, { delaySeconds: 20 * 60 });
    expect(sent.status).toBe('scheduled');
    expect(sent.scheduledAt!.getTime() - system.schedules.now()).toBeGreaterThan(19 * 60_000);
    expect(system.schedules.pending().map((schedule) => schedule.name)).toContain(`postbox-${sent.id}`);
    await notHandled(sent.id);
    await system.schedules.advance(19 * 60);
    await notHandled(sent.id);
    await system.schedules.advance(60);
    expect(await system.waitFor(sent.id)).toEqual([{ queue: 'refund-issue', messageType: 'refund.issue', status: 'handled', attempts: 1 }]);
    expect(system.schedules.pending().map((schedule) => schedule.name)).not.toContain(`postbox-${sent.id}`);
  });

  it('delivers an event published for a time an hour ahead to every subscriber, with its type attribute for their filters', async () => {
    const at = new Date(system.schedules.now() + 3600_000);
    const published = await system.publish('payment.captured', { paymentId: 'p-2', amountCents: 700 }, { at });
    expect(published).toMatchObject({ status: 'scheduled', scheduledAt: at });
    await system.schedules.advance(3600);
    const outcomes = await system.waitFor(published.id);
    expect(outcomes.map((outcome) => `${outcome.queue} ${outcome.status}`).sort()).toEqual(['ledger handled', 'receipts handled']);
  });

  it('never delivers a cancelled message, and says when there was nothing left to cancel', async () => {
    const sent = await system.send('refund.issue', refund, { delaySeconds: 2 * 3600 });
    expect(await system.cancelScheduled(sent.id)).toBe(true);
    expect(await system.cancelScheduled(sent.id)).toBe(false);
    await system.schedules.advance(2 * 3600);
    await notHandled(sent.id);
    expect(await system.cancelScheduled('never-scheduled')).toBe(false);
  });

  it('keeps SQS delays within 15 minutes to SQS: nothing is scheduled', async () => {
    const sent = await system.send('refund.issue', refund, { delaySeconds: 1 });
    expect(sent.status).toBe('sent');
    expect(system.schedules.pending().map((schedule) => schedule.name)).not.toContain(`postbox-${sent.id}`);
    expect(await system.waitFor(sent.id)).toEqual([{ queue: 'refund-issue', messageType: 'refund.issue', status: 'handled', attempts: 1 }]);
  });
});
