import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';

const config = fileURLToPath(new URL('../fixtures/payments-service/postbox.config.ts', import.meta.url));

describe('postbox/testing: a service tested in-process against the embedded emulator', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ config });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('starts on a fresh stage of its own, with the topology resolved for it', () => {
    expect(system.stage).toMatch(/^t[0-9a-f]{8}$/);
    expect(system.topology.app).toBe('payments');
    expect(system.topology.stage).toBe(system.stage);
    expect(system.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('waits until an event is handled by every queue it is routed to: the Lambda handler and the worker', async () => {
    const published = await system.publish('payment.captured', { paymentId: 'p-1', amountCents: 1200 });
    const outcomes = await system.waitFor(published.id);
    expect(outcomes.map((outcome) => outcome.queue).sort()).toEqual(['ledger', 'receipts']);
    for (const outcome of outcomes) expect(outcome).toEqual({ queue: outcome.queue, messageType: 'payment.captured', status: 'handled', attempts: 1 });
  });

  it('waits on one queue only when asked', async () => {
    const published = await system.publish('payment.captured', { paymentId: 'p-2', amountCents: 300 });
    expect(await system.waitFor(published.id, { queue: 'receipts' })).toEqual([
      { queue: 'receipts', messageType: 'payment.captured', status: 'handled', attempts: 1 },
    ]);
  });

  it("carries an event over SNS's 256 KiB through the service's payload bucket to the Lambda handler and the worker", async () => {
    const published = await system.publish('payment.captured', { paymentId: 'p'.repeat(300 * 1024), amountCents: 1 });
    const outcomes = await system.waitFor(published.id);
    expect(outcomes.map((outcome) => [outcome.queue, outcome.status]).sort()).toEqual([
      ['ledger', 'handled'],
      ['receipts', 'handled'],
    ]);
  });

  it('waits until a command is handled on its queue', async () => {
    const sent = await system.send('refund.issue', { paymentId: 'p-1', amountCents: 500 });
    expect(await system.waitFor(sent.id)).toEqual([{ queue: 'refund-issue', messageType: 'refund.issue', status: 'handled', attempts: 1 }]);
  });

  it('reports a poison message (data that does not match its schema) dead-lettered, with its reason', async () => {
    const topic = system.topology.topics.find((candidate) => candidate.id === 'payments')!;
    const { TopicArn } = await system.clients.sns.send(new CreateTopicCommand({ Name: topic.name }));
    const id = `poison-${system.stage}`;
    const envelope = { specversion: '1.0', id, source: 'test', type: 'payment.captured', data: { paymentId: '', amountCents: -1 } };
    await system.clients.sns.send(
      new PublishCommand({ TopicArn, Message: JSON.stringify(envelope), MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.captured' } } }),
    );
    const outcomes = await system.waitFor(id);
    expect(outcomes.map((outcome) => outcome.queue).sort()).toEqual(['ledger', 'receipts']);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ messageType: 'payment.captured', status: 'dead-lettered', attempts: 1, reason: { code: 'SCHEMA_VALIDATION_FAILED' } });
      expect(outcome.reason!.message).toContain("of type 'payment.captured' does not match its schema: paymentId: Too small");
    }
  });

  it('does not take a retry for an end: a message that fails once is handled on its second attempt', async () => {
    const published = await system.publish('payment.captured', { paymentId: 'flaky-1', amountCents: 700 });
    const outcomes = await system.waitFor(published.id, { timeoutMs: 15_000 });
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'handled', attempts: 2 });
  });

  it('rejects on timeout naming the message, the queues still waiting and what they did so far', async () => {
    // Ledger and receipts fail its first attempt and retry it a second later: half a second is too short for either to end.
    const published = await system.publish('payment.captured', { paymentId: 'flaky-2', amountCents: 900 });
    const error = await system.waitFor(published.id, { timeoutMs: 500 }).then(
      () => undefined,
      (caught: unknown) => caught as Error & { code?: string },
    );
    expect(error?.code).toBe('WAIT_TIMED_OUT');
    expect(error?.message).toContain(`message ${published.id} (payment.captured) did not reach an end within 500 ms`);
    expect(error?.message).toMatch(/still waiting on ledger, receipts|still waiting on receipts, ledger/);
    expect(error?.message).toMatch(/attempt 1 failed, retrying: payment flaky-2 is flaky|nothing received yet/);
    expect(error?.message).toContain('timeoutMs');
    // It still ends: the wait timed out, not the message.
    expect(await system.waitFor(published.id, { timeoutMs: 15_000 })).toHaveLength(2);
  });

  it('refuses to wait on a queue the topology does not have, naming its queues', async () => {
    await expect(system.waitFor('any', { queue: 'billing' })).rejects.toThrow("queue 'billing' is not in topology 'payments'; its queues are 'ledger', 'receipts', 'refund-issue'");
  });

  it('keeps two systems of one process apart: each on its own stage sees only its own messages', async () => {
    await using other = await startTestSystem({ config });
    expect(other.stage).not.toBe(system.stage);
    const mine = await system.publish('payment.captured', { paymentId: 'p-mine', amountCents: 100 });
    const theirs = await other.publish('payment.captured', { paymentId: 'p-theirs', amountCents: 100 });
    // Each system's own Lambda handlers and workers handle its messages, on its own stage's queues.
    expect(await other.waitFor(theirs.id)).toHaveLength(2);
    expect(await system.waitFor(mine.id)).toHaveLength(2);
    await expect(other.waitFor(mine.id, { timeoutMs: 1000 })).rejects.toThrow(`message ${mine.id} reached no queue of app 'payments' at stage '${other.stage}'`);
  });
});
