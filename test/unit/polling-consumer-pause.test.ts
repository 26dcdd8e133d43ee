import '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { FakeSqsQueue } from '../helpers/fake-sqs-queue.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

// The local console pauses a worker's consumer to let a backlog build: under faked time, as the loop's own tests.
let queue: FakeSqsQueue;
let consumer: PollingConsumer<typeof paymentsTopology>;
const handled: string[] = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  queue = new FakeSqsQueue();
  handled.length = 0;
  consumer = new PollingConsumer(paymentsTopology, {
    stage: 'dev',
    queue: 'archive',
    sqs: queue.client,
    queueUrl: queue.url,
    deadLetterQueueUrl: queue.deadLetterUrl,
    logger: createLogger({}, { write: () => undefined }),
    writeMetrics: () => undefined,
    waitTimeSeconds: 1,
    handlers: { 'payment.received': (message) => void handled.push(message.data.paymentId) },
  });
});

afterEach(async () => {
  const stopping = consumer.stop();
  await vi.advanceTimersByTimeAsync(60_000);
  await stopping;
  vi.useRealTimers();
});

/** Lets faked time pass in small steps, with real turns of the event loop between them. */
async function pass(ms: number): Promise<void> {
  for (let waited = 0; waited < ms; waited += 10) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(10);
  }
}

describe('a paused polling consumer', () => {
  it('sends no receive while paused, so messages wait on the queue, and handles them once resumed', async () => {
    consumer.start();
    await pass(3_000);
    consumer.pause();
    expect(consumer.paused).toBe(true);
    // A receive under way when it paused ends with its long poll; after it, none goes out.
    await pass(2_000);
    const receives = queue.receives.length;
    queue.add('m1', { paymentId: 'p1', amountCents: 1 });
    queue.add('m2', { paymentId: 'p2', amountCents: 1 });
    await pass(5_000);
    expect(queue.receives.length).toBe(receives);
    expect(handled).toEqual([]);
    expect(queue.visibleIds()).toEqual(['m1', 'm2']);

    consumer.resume();
    expect(consumer.paused).toBe(false);
    await pass(3_000);
    expect(handled.sort()).toEqual(['p1', 'p2']);
    expect(queue.visibleIds()).toEqual([]);
  });

  it('stops while paused', async () => {
    consumer.start();
    consumer.pause();
    const stopping = consumer.stop();
    await pass(2_000);
    await stopping;
    expect(consumer.health().status).toBe('stopped');
  });
});
