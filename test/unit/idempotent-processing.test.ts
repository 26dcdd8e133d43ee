import { describe, expect, it } from 'vitest';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { InMemoryIdempotencyStore } from '../../lib/runtime/consuming/idempotency/in-memory-idempotency-store.ts';
import type { IdempotencyStore } from '../../lib/runtime/consuming/idempotency/idempotency-store.ts';
import { idempotent } from '../../lib/runtime/consuming/idempotency/idempotent-handler.ts';
import { HandlerConfigurationError } from '../../lib/runtime/consuming/handler-configuration-error.ts';
import { MessageProcessor, type ReceivedMessage } from '../../lib/runtime/consuming/message-processor.ts';
import { EmfMetrics } from '../../lib/runtime/observability/emf-metrics.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { queueById, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const declaration = defineTopology({
  ...paymentsTopology,
  subscribers: { ...paymentsTopology.subscribers, accounting: { ...paymentsTopology.subscribers!.accounting, idempotency: { lifetimeSeconds: 3600 } } },
});
const topology = resolveTopology(declaration, { stage: 'dev' });
const accounting = queueById(topology, 'accounting')!;
const catalog = new MessageCatalog(topology);

function setUp(handlers: Record<string, (...args: any[]) => unknown>, store: IdempotencyStore = new InMemoryIdempotencyStore()) {
  const logs: string[] = [];
  const metrics = new EmfMetrics('Postbox/pay', 'accounting', () => undefined);
  const processor = new MessageProcessor(accounting, catalog, handlers, createLogger({}, { write: (line) => logs.push(line) }), metrics, () => 0, undefined, store);
  return { processor, logs, store };
}

const envelope = (id: string, data: unknown) => ({ specversion: '1.0', id, source: 'test', type: 'payment.received', kind: 'event', time: '2026-12-04T21:00:00Z', data });
const delivery = (id: string, data: unknown, sqsMessageId = `sqs-${id}`, receiveCount = 1): ReceivedMessage => ({
  messageId: sqsMessageId,
  receiptHandle: 'r',
  body: JSON.stringify(envelope(id, data)),
  attributes: { type: 'payment.received' },
  receiveCount,
});
const data = { paymentId: 'p-1', amountCents: 500 };

describe('idempotent handling', () => {
  it('takes the record lifetime from the topology and the lease from the handler time limit', () => {
    expect(accounting.idempotency).toEqual({ lifetimeSeconds: 3600, leaseSeconds: accounting.handler.timeoutSeconds });
    expect(queueById(resolveTopology(paymentsTopology, { stage: 'dev' }), 'accounting')!.idempotency).toBeUndefined();
  });

  it('acknowledges a second delivery of a handled message without calling its handler, and logs the stored result', async () => {
    let calls = 0;
    const { processor, logs } = setUp({ 'payment.received': () => ({ ledgerEntry: ++calls }), 'payment.refunded': () => undefined });
    expect(await processor.process(delivery('e-1', data, 'sqs-a'))).toMatchObject({ status: 'processed' });
    const second = await processor.process(delivery('e-1', data, 'sqs-b', 2));
    expect(second).toMatchObject({ status: 'processed', duplicate: true });
    expect(calls).toBe(1);
    const line = logs.map((text) => JSON.parse(text)).find((entry) => entry.message?.includes('handled before'));
    expect(line).toMatchObject({ idempotencyKey: 'accounting#e-1', storedResult: { ledgerEntry: 1 }, messageId: 'sqs-b' });
  });

  it('runs the handler again after a failed attempt, which releases the record', async () => {
    let calls = 0;
    const { processor } = setUp({
      'payment.received': () => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
      },
      'payment.refunded': () => undefined,
    });
    expect(await processor.process(delivery('e-2', data))).toMatchObject({ status: 'failed', action: 'retry' });
    expect(await processor.process(delivery('e-2', data, 'sqs-e-2', 2))).toMatchObject({ status: 'processed' });
    expect(calls).toBe(2);
  });

  it('retries, without calling the handler, a delivery whose key another attempt holds; after that attempt crashed, runs it once the lease ran out', async () => {
    let now = Date.UTC(2026, 11, 4, 21);
    const store = new InMemoryIdempotencyStore(() => now);
    await store.claim('accounting#e-3', accounting.idempotency!.leaseSeconds); // an attempt that then crashed
    let calls = 0;
    const { processor } = setUp({ 'payment.received': () => void calls++, 'payment.refunded': () => undefined }, store);
    const held = await processor.process(delivery('e-3', data));
    expect(held).toMatchObject({ status: 'failed', action: 'retry' });
    expect((held as { error: Error }).error).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
    expect(calls).toBe(0);
    now += accounting.idempotency!.leaseSeconds * 1000 + 1;
    expect(await processor.process(delivery('e-3', data, 'sqs-e-3', 2))).toMatchObject({ status: 'processed' });
    expect(calls).toBe(1);
  });

  it('fails the message as retryable, never running the handler unguarded, when the record cannot be claimed', async () => {
    let calls = 0;
    const broken: IdempotencyStore = {
      description: 'DynamoDB table pay-dev-idempotency',
      claim: () => Promise.reject(new Error('connect ECONNREFUSED')),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(),
    };
    const { processor } = setUp({ 'payment.received': () => void calls++, 'payment.refunded': () => undefined }, broken);
    const outcome = await processor.process(delivery('e-4', data));
    expect(outcome).toMatchObject({ status: 'failed', action: 'retry' });
    expect((outcome as { error: Error }).error.message).toMatch(/Message sqs-e-4 was not handled: its idempotency record 'accounting#e-4' could not be claimed in DynamoDB table pay-dev-idempotency \(connect ECONNREFUSED\)/);
    expect(calls).toBe(0);
  });

  it('acknowledges a handled message whose completion cannot be written (its effect happened), logging that a later redelivery may run it again', async () => {
    const store = new InMemoryIdempotencyStore();
    const flaky: IdempotencyStore = { description: 'x', claim: (k, l) => store.claim(k, l), complete: () => Promise.reject(new Error('timeout')), release: (c) => store.release(c) };
    const { processor, logs } = setUp({ 'payment.received': () => undefined, 'payment.refunded': () => undefined }, flaky);
    expect(await processor.process(delivery('e-5', data))).toMatchObject({ status: 'processed' });
    expect(logs.some((line) => line.includes('could not be marked completed'))).toBe(true);
  });

  it('keys by the function the handler map gives, so two messages of one producer key run once', async () => {
    let calls = 0;
    const { processor } = setUp({
      'payment.received': idempotent((_message: { data: { paymentId: string } }) => void calls++, { key: (message) => message.data.paymentId }),
      'payment.refunded': () => undefined,
    });
    await processor.process(delivery('e-6', data));
    expect(await processor.process(delivery('e-7', data))).toMatchObject({ status: 'processed', duplicate: true });
    expect(calls).toBe(1);
  });

  it('dead-letters a message whose key function throws or gives no key, with that reason', async () => {
    const { processor } = setUp({
      'payment.received': idempotent(() => undefined, { key: () => '' }),
      'payment.refunded': idempotent(() => undefined, { key: () => { throw new Error('no order id'); } }),
    });
    const outcome = await processor.process(delivery('e-8', data));
    expect(outcome).toMatchObject({ status: 'failed', action: 'dead-letter' });
    expect((outcome as { error: Error }).error).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID' });
    expect((outcome as { error: Error }).error.message).toMatch(/the key function returned "", not a non-empty string/);
  });

  it('refuses an idempotent() handler on a queue that declares no idempotency, saying what to add', () => {
    const plain = queueById(resolveTopology(paymentsTopology, { stage: 'dev' }), 'accounting')!;
    expect(
      () => new MessageProcessor(plain, catalog, { 'payment.received': idempotent(() => undefined), 'payment.refunded': () => undefined }, createLogger({}), new EmfMetrics('n', 'q', () => undefined)),
    ).toThrowError(HandlerConfigurationError);
    expect(
      () => new MessageProcessor(plain, catalog, { 'payment.received': idempotent(() => undefined), 'payment.refunded': () => undefined }, createLogger({}), new EmfMetrics('n', 'q', () => undefined)),
    ).toThrowError(/add `idempotency: \{\}` to it/);
  });
});

describe('idempotent handlers of a worker with unique jobs', () => {
  it('keep their key inside the job lock', async () => {
    const { withUniqueJobs } = await import('../../lib/runtime/consuming/workers/unique-jobs.ts');
    const { idempotentOptionsOf } = await import('../../lib/runtime/consuming/idempotency/idempotent-handler.ts');
    const key = (message: { data: { paymentId: string } }) => message.data.paymentId;
    const locked = withUniqueJobs({ 'payment.received': idempotent(() => undefined, { key }) } as never, { key: () => 'job', policy: 'skip' });
    expect(idempotentOptionsOf((locked as Record<string, unknown>)['payment.received'])).toEqual({ key });
  });
});

describe('a message whose record an attempt that crashed still holds', () => {
  it('is retried after the lease ends, not dead-lettered unrun after its receives ran out meanwhile', async () => {
    let now = Date.now();
    const store = new InMemoryIdempotencyStore(() => now);
    // A worker killed mid-handler: its claim holds for the handler's time limit, but SQS hands the message out again
    // after its (heartbeat-kept, short) visibility timeout, long before that.
    await store.claim('accounting#e-9', accounting.idempotency!.leaseSeconds);
    let calls = 0;
    const { processor } = setUp({ 'payment.received': () => void calls++, 'payment.refunded': () => undefined }, store);
    for (let receive = 1; receive <= accounting.maxReceiveCount; receive++) {
      now = Math.max(Date.now(), now);
      const outcome = await processor.process(delivery('e-9', data, 'sqs-e-9', receive));
      if (outcome.status === 'processed') break;
      expect(outcome).toMatchObject({ status: 'failed', action: 'retry' });
      now += (outcome as { delaySeconds: number }).delaySeconds * 1000 + 1;
    }
    expect(calls).toBe(1);
  });
});

describe('idempotency keys and writes a store cannot take', () => {
  it('dead-letters at once a message whose key is longer than a DynamoDB key holds, saying so', async () => {
    const { processor } = setUp({
      'payment.received': idempotent((_message: { data: { paymentId: string } }) => undefined, { key: (message) => message.data.paymentId }),
      'payment.refunded': () => undefined,
    });
    const outcome = await processor.process(delivery('e-10', { paymentId: 'p'.repeat(3000), amountCents: 5 }));
    expect(outcome).toMatchObject({ status: 'failed', action: 'dead-letter' });
    expect((outcome as { error: Error }).error).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID' });
    expect((outcome as { error: Error }).error.message).toMatch(/over the 2048 a DynamoDB key holds/);
  });

  it('fails writeWithRecord on the in-memory store with its own code, and runs the handler again on the retry', async () => {
    let calls = 0;
    const { processor } = setUp({
      'payment.received': (_message, context) => {
        calls += 1;
        context.idempotency.writeWithRecord({ Put: { TableName: 'ledger', Item: {} } });
      },
      'payment.refunded': () => undefined,
    });
    const outcome = await processor.process(delivery('e-11', data));
    expect(outcome).toMatchObject({ status: 'failed', action: 'retry' });
    expect((outcome as { error: Error }).error).toMatchObject({ code: 'IDEMPOTENCY_EFFECTS_UNSUPPORTED' });
    expect(await processor.process(delivery('e-11', data, 'sqs-e-11', 2))).toMatchObject({ status: 'failed' });
    expect(calls).toBe(2);
  });
});
