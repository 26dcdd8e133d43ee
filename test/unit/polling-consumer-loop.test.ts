import '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import type { PollingConsumerOptions } from '../../lib/runtime/consuming/polling/polling-consumer-options.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { FakeSqsQueue } from '../helpers/fake-sqs-queue.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

// The consumer loop as sqs-consumer tests its own: a queue in memory and faked time, so a 20 s long poll or a
// 30 s grace period takes no time and each step is seen in order. The archive queue: visibility 2 s, tasks up to 8 s.
type Payments = typeof paymentsTopology;
type Handle = (message: Envelope<{ paymentId: string }>, signal: AbortSignal) => unknown;

let queue: FakeSqsQueue;
let logs: Array<Record<string, unknown>>;
const consumers: PollingConsumer<Payments>[] = [];

beforeEach(() => {
  // setImmediate stays real: `until` gives the event loop a real turn per step, for what is not timed (the SDK's
  // module, loaded by import() on first use, resolves on a real turn of the loop).
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  queue = new FakeSqsQueue();
  logs = [];
});

afterEach(async () => {
  const stopping = Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  await vi.advanceTimersByTimeAsync(60_000);
  await stopping;
  vi.useRealTimers();
});

function consumer(handle: Handle, options: Partial<PollingConsumerOptions<Payments>> = {}) {
  const made = new PollingConsumer(paymentsTopology, {
    stage: 'dev',
    queue: 'archive',
    sqs: queue.client,
    queueUrl: queue.url,
    deadLetterQueueUrl: queue.deadLetterUrl,
    logger: createLogger({}, { write: (line) => logs.push(JSON.parse(line)) }),
    writeMetrics: () => undefined,
    random: () => 0,
    handlers: { 'payment.received': (message, context) => handle(message, context.signal!) },
    ...options,
  });
  consumers.push(made);
  return made;
}

/**
 * Starts the consumer and waits, in real time with faked time standing still, for its first receive: the SDK's
 * module is loaded by import() on first use, which resolves on real turns of the event loop, not on timers.
 */
async function begin(made: PollingConsumer<Payments>): Promise<void> {
  const before = queue.receives.length;
  made.start();
  while (queue.receives.length === before) await new Promise((resolve) => setImmediate(resolve));
}

/** Lets faked time pass in small steps until `condition` holds (or `withinMs` of faked time have passed). */
async function until(condition: () => boolean, withinMs = 60_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > withinMs) throw new Error(`condition not met within ${withinMs} ms of faked time`);
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(10);
  }
}

const message = (paymentId: string) => ({ paymentId, amountCents: 1 });
const blockers = () => {
  const waiting = new Map<string, () => void>();
  return { wait: (id: string) => new Promise<void>((resolve) => waiting.set(id, resolve)), release: (id: string) => waiting.get(id)!(), waiting };
};

describe('the polling consumer loop, under faked time', () => {
  it('never asks for more messages than it has free slots, and runs no more than its concurrency at once', async () => {
    for (let n = 1; n <= 10; n++) queue.add(`m${n}`, message(`p${n}`));
    const blocked = blockers();
    let running = 0;
    let peak = 0;
    const asked: Array<{ max: number; free: number }> = [];
    queue.onReceive = (max) => asked.push({ max, free: 3 - running });
    const worker = consumer(async ({ data }) => {
      running += 1;
      peak = Math.max(peak, running);
      await blocked.wait(data.paymentId);
      running -= 1;
    }, { concurrency: 3, waitTimeSeconds: 20 });
    await begin(worker);

    await until(() => blocked.waiting.size === 3);
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10']) {
      await until(() => blocked.waiting.has(id));
      blocked.release(id);
    }
    await until(() => queue.deleted.length === 10);
    expect(peak).toBe(3);
    expect(asked.length).toBeGreaterThan(1);
    for (const receive of asked) expect(receive.max).toBeLessThanOrEqual(receive.free);
  });

  it('aborts the long poll under way when stopped, instead of waiting out its 20 s', async () => {
    const idle = consumer(() => undefined, { waitTimeSeconds: 20 });
    await begin(idle);
    await vi.advanceTimersByTimeAsync(1_000);
    const stoppedAt = Date.now();
    let stopped = false;
    void idle.stop().then(() => (stopped = true));
    await until(() => stopped, 1_000);
    expect(Date.now() - stoppedAt).toBeLessThan(1_000);
    expect(queue.receives).toEqual([{ max: 4, aborted: true }]);
  });

  it('hides a message that the aborted poll takes for 30 s at most, though the queue keeps a running task an hour', async () => {
    const idle = consumer(() => undefined, { waitTimeSeconds: 20, visibilityTimeoutSeconds: 3600 });
    await begin(idle);
    await idle.stop();
    queue.add('after-stop', message('p-after'));
    // The abandoned poll takes it, as SQS's does, with the visibility the receive asked for.
    await vi.advanceTimersByTimeAsync(200);
    expect(queue.visibleIds()).toEqual([]);
    const takenAt = Date.now();
    await until(() => queue.visibleIds().includes('after-stop'), 60_000);
    expect(Date.now() - takenAt).toBeLessThanOrEqual(30_000);
  });

  it('extends a running task to the queue’s visibility a third of the way into the 30 s a receive asks for', async () => {
    queue.add('long', message('p-long'));
    const blocked = blockers();
    await begin(consumer(({ data }) => blocked.wait(data.paymentId), { visibilityTimeoutSeconds: 3600, taskTimeoutSeconds: 60 }));
    await until(() => queue.visibilityChanges.length === 1, 11_000);
    expect(queue.visibilityChanges).toEqual([{ id: 'long', seconds: 3600 }]);
    blocked.release('p-long');
    await until(() => queue.deleted.length === 1);
  });

  it('with abortReceiveOnStop false, lets the long poll return and gives back what it brought at once', async () => {
    const idle = consumer(() => undefined, { waitTimeSeconds: 20, abortReceiveOnStop: false });
    await begin(idle);
    let stopped = false;
    void idle.stop().then(() => (stopped = true));
    queue.add('late', message('p-late'));
    await until(() => stopped, 1_000);
    expect(queue.receives).toEqual([{ max: 4, aborted: false }]);
    expect(queue.visibilityChanges).toEqual([{ id: 'late', seconds: 0 }]);
    expect(queue.visibleIds()).toEqual(['late']);
  });

  it('on stop, gives a running task its grace period, then aborts it and releases its message (visibility 0)', async () => {
    queue.add('slow', message('p-slow'));
    let aborted = false;
    const worker = consumer(async (_message, signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      aborted = true;
    }, { shutdownGraceSeconds: 5 });
    await begin(worker);
    await until(() => worker.health().inFlight === 1);
    let stopped = false;
    void worker.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(4_900);
    expect({ stopped, aborted, released: queue.visibilityChanges.filter((change) => change.seconds === 0) }).toEqual({ stopped: false, aborted: false, released: [] });
    await until(() => stopped, 10_000);
    expect(aborted).toBe(true);
    expect(queue.visibilityChanges.filter((change) => change.seconds === 0)).toEqual([{ id: 'slow', seconds: 0 }]);
    expect(queue.visibleIds()).toEqual(['slow']);
    expect(queue.deleted).toEqual([]);
  });

  it('keeps a task whose visibility extension fails once and then succeeds, and deletes it when done', async () => {
    queue.add('flaky', message('p-flaky'));
    queue.failVisibilityChanges = 1;
    await begin(consumer(() => new Promise((resolve) => setTimeout(resolve, 5_000))));
    await until(() => queue.deleted.length === 1, 10_000);
    expect(queue.deleted).toEqual(['flaky']);
    // Extended every third of its 2 s visibility for the 5 s it ran: one failure, retried in time.
    expect(queue.visibilityChanges.length).toBeGreaterThanOrEqual(6);
    expect(logs.filter((line) => String(line.message).startsWith('could not extend the visibility')).map((line) => line.message)).toEqual([
      'could not extend the visibility of a running task; retrying',
    ]);
  });

  it('gives up a task whose visibility cannot be extended before it expires: its handler is aborted and SQS hands the message out again', async () => {
    queue.add('lost', message('p-lost'));
    queue.failVisibilityChanges = Number.POSITIVE_INFINITY;
    let signalOf: AbortSignal | undefined;
    const worker = consumer((_message, signal) => {
      signalOf = signal;
      // A handler that ignores its abort signal keeps its slot: with one slot, the consumer stops for a fresh process.
      return new Promise(() => undefined);
    }, { concurrency: 1 });
    const stops: string[] = [];
    worker.on('stopped', (reason) => stops.push(reason));
    await begin(worker);
    await until(() => logs.some((line) => String(line.message).startsWith('could not extend the visibility of a running task before it expired')), 5_000);
    expect(signalOf?.aborted).toBe(true);
    await until(() => stops.length === 1, 60_000);
    expect(stops).toEqual(['abandoned-handlers']);
    expect(queue.deleted).toEqual([]);
    // Nothing settled it: once its visibility runs out, SQS hands it out again, to another consumer.
    await until(() => queue.visibleIds().includes('lost'), 5_000);
  });
  it('receives again a message it gave up, under maxMessages: what was let go unhandled does not count towards the limit', async () => {
    queue.add('again', message('p-again'));
    // Failed extensions lose the first attempt's 2 s visibility; the second attempt's succeed.
    queue.failVisibilityChanges = Number.POSITIVE_INFINITY;
    let attempts = 0;
    const worker = consumer(() => {
      attempts += 1;
      // The first attempt outlives its visibility, ignoring its signal; the second returns at once.
      return attempts === 1 ? new Promise((resolve) => setTimeout(resolve, 3_000)) : undefined;
    }, { concurrency: 2, limits: { maxMessages: 1 } });
    const stops: string[] = [];
    worker.on('stopped', (reason) => stops.push(reason));
    await begin(worker);
    await until(() => logs.some((line) => String(line.message).startsWith('could not extend the visibility of a running task before it expired')), 5_000);
    queue.failVisibilityChanges = 0;
    await until(() => stops.length === 1, 60_000);
    expect({ stops, attempts, deleted: queue.deleted }).toEqual({ stops: ['max-messages'], attempts: 2, deleted: ['again'] });
  });
});
