import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { provisionJobLockTable } from '../../lib/local/store-provisioner.ts';
import { childOf, type Envelope } from '../../lib/messages/envelope.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { DynamoDbJobLock } from '../../lib/runtime/consuming/workers/dynamodb-job-lock.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import type { UniqueJobs } from '../../lib/runtime/consuming/workers/unique-jobs.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { archiveConsumers, gate, sleep, until } from '../helpers/polling-fixtures.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
const { setUp, running } = archiveConsumers();

/** The job key of a payment id: what comes before `#`. */
const jobKey = (message: Envelope) => (message.data as { paymentId: string }).paymentId.split('#')[0];

/**
 * Jobs that take 800 ms each and note whether two different messages of one key
 * ever ran at once. The redelivery of a message whose visibility lapsed (a
 * loaded machine can hold up a heartbeat) takes its own lock back and runs, as
 * `UniqueJobs` documents: that is at-least-once delivery, not two jobs.
 */
function keyedJobs() {
  const running = new Map<string, string[]>();
  const done = new Set<string>();
  let overlap = false;
  const run = async ({ data }: Envelope<{ paymentId: string }>) => {
    const key = data.paymentId.split('#')[0]!;
    const ofKey = running.get(key) ?? [];
    running.set(key, ofKey);
    if (ofKey.some((id) => id !== data.paymentId)) overlap = true;
    ofKey.push(data.paymentId);
    await sleep(800);
    ofKey.splice(ofKey.indexOf(data.paymentId), 1);
    done.add(data.paymentId);
  };
  return { run, done: () => [...done].sort(), overlapped: () => overlap };
}

describe('PollingConsumer', () => {
  it('processes a task longer than the visibility timeout once: the heartbeat keeps it', async () => {
    const { consumer, send, archive } = await setUp();
    const runs: string[] = [];
    const slow = async ({ data }: Envelope<{ paymentId: string }>) => {
      runs.push(data.paymentId);
      await sleep(5000);
    };
    // Two consumers poll the queue: without the heartbeat the second would get the message after 2 s.
    const first = consumer(slow);
    const second = consumer(slow);
    await send('long-1');
    first.start();
    second.start();
    await until(async () => runs.length > 0 && (await queueDepth(clients.sqs, archive.url)).inFlight === 0 && (await queueDepth(clients.sqs, archive.url)).visible === 0);
    expect(runs).toEqual(['long-1']);
  }, 30_000);

  it('holds more than 10 messages in flight, up to its concurrency, and no more', async () => {
    const { consumer, send, archive } = await setUp();
    let active = 0;
    let peak = 0;
    const handled = new Set<string>();
    const release = gate();
    const worker = consumer(
      async ({ data }) => {
        active += 1;
        peak = Math.max(peak, active);
        await release.opened;
        active -= 1;
        handled.add(data.paymentId);
      },
      { concurrency: 12 },
    );
    await Promise.all(Array.from({ length: 15 }, (_, i) => send(`c-${i}`)));
    worker.start();
    // Every slot taken: no receive can be under way, so the other three wait in the queue.
    await until(() => active === 12);
    expect(worker.health().inFlight).toBe(12);
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 3, inFlight: 12 });
    release.open();
    await until(() => handled.size === 15);
    expect(peak).toBe(12);
  }, 30_000);

  it('on stop, lets a running task finish within the grace period and receives nothing after stop began', async () => {
    const { consumer, send, archive } = await setUp();
    const finished: string[] = [];
    const receivedAt: number[] = [];
    const stopBegun = gate();
    // Receives under way return rather than being aborted, so the message sent after stop stays visible.
    const worker = consumer(
      async ({ data }) => {
        await stopBegun.opened;
        finished.push(data.paymentId);
      },
      { abortReceiveOnStop: false },
    );
    worker.on('message_received', () => receivedAt.push(Date.now()));
    await send('graceful');
    worker.start();
    await until(() => receivedAt.length === 1);
    const stopBegan = Date.now();
    const stopped = worker.stop('signal');
    await send('after-stop');
    stopBegun.open();
    await stopped;
    expect(finished).toEqual(['graceful']);
    expect(receivedAt.filter((at) => at >= stopBegan)).toEqual([]);
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 1, inFlight: 0 });
  }, 30_000);

  it('on stop, aborts a long poll under way instead of waiting it out; a message that poll took returns after its visibility timeout', async () => {
    const { consumer, send } = await setUp();
    const idle = consumer(() => undefined, { waitTimeSeconds: 20, visibilityTimeoutSeconds: 2 });
    idle.start();
    await until(() => idle.health().status === 'polling');
    await sleep(300);
    const stopped = idle.stop('signal').then(() => 'stopped');
    expect(await Promise.race([stopped, sleep(5_000).then(() => 'still waiting on the long poll')])).toBe('stopped');

    await send('sent-after-stop');
    const handled: string[] = [];
    const next = consumer(({ data }) => void handled.push(data.paymentId));
    next.start();
    await until(() => handled.length === 1);
    expect(handled).toEqual(['sent-after-stop']);
  }, 30_000);

  it('releases a task unfinished at the end of the grace period, and a second consumer processes it', async () => {
    const { consumer, send } = await setUp();
    const completed: string[] = [];
    let aborted = false;
    const first = consumer(
      async (_message, signal) => {
        await new Promise((resolve) => signal?.addEventListener('abort', resolve));
        aborted = true;
      },
      { shutdownGraceSeconds: 1 },
    );
    const released: string[] = [];
    first.on('message_released', (message) => released.push(message.messageId));
    await send('handed-over');
    first.start();
    await until(() => first.health().inFlight === 1);
    await first.stop('signal');
    expect(released).toHaveLength(1);
    expect(aborted).toBe(true);

    const second = consumer(({ data }) => void completed.push(data.paymentId));
    second.start();
    await until(() => completed.length === 1);
    expect(completed).toEqual(['handed-over']);
  }, 30_000);

  it('stops after maxMessages with a log line saying why', async () => {
    const { consumer, send, logs } = await setUp();
    const worker = consumer(() => undefined, { limits: { maxMessages: 2 } });
    await Promise.all(['a', 'b', 'c'].map(send));
    const stopped = new Promise((resolve) => worker.once('stopped', resolve));
    worker.start();
    expect(await stopped).toBe('max-messages');
    expect(worker.health().handled).toBe(2);
    expect(logs.map((line) => line.message)).toContain('stopping: handled 2 messages (limit maxMessages); the supervisor starts a fresh process');
  }, 30_000);

  it('stops after maxRuntimeSeconds and when memory passes maxMemoryMb', async () => {
    const { consumer, logs } = await setUp();
    const timed = consumer(() => undefined, { limits: { maxRuntimeSeconds: 1 } });
    const timedStop = new Promise((resolve) => timed.once('stopped', resolve));
    timed.start();
    expect(await timedStop).toBe('max-runtime');
    const hungry = consumer(() => undefined, { limits: { maxMemoryMb: 1 } });
    const hungryStop = new Promise((resolve) => hungry.once('stopped', resolve));
    hungry.start();
    expect(await hungryStop).toBe('max-memory');
    expect(logs.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        'stopping: ran 1 s (limit maxRuntimeSeconds); the supervisor starts a fresh process',
        'stopping: resident memory passed 1 MiB (limit maxMemoryMb); the supervisor starts a fresh process',
      ]),
    );
  }, 30_000);

  it('runs the same message hooks as the Lambda path: before each message and after it is settled', async () => {
    const { consumer, send } = await setUp();
    const seen: string[] = [];
    const worker = consumer(() => undefined, {
      hooks: [{ before: (_message, queue) => seen.push(`before ${queue.id}`), after: ({ outcome, left }) => seen.push(`after ${outcome.status} ${left}`) }],
    });
    await send('hooked');
    worker.start();
    await until(() => seen.length === 2);
    expect(seen).toEqual(['before archive', 'after processed true']);
  }, 30_000);

  it('never runs two jobs with the same key at once', async () => {
    const { consumer, send } = await setUp();
    const jobs = keyedJobs();
    const worker = consumer(jobs.run, { uniqueJobs: { key: jobKey, policy: 'wait' } });
    await Promise.all(['job#1', 'job#2', 'other#1'].map(send));
    worker.start();
    await until(() => jobs.done().length === 3, 25_000);
    expect(jobs.overlapped()).toBe(false);
    expect(jobs.done()).toEqual(['job#1', 'job#2', 'other#1']);
  }, 30_000);

  it('never runs two jobs with the same key at once across two workers sharing the DynamoDB lock', async () => {
    const { stage, consumer, send } = await setUp();
    const tableName = (await provisionJobLockTable(resolveTopology(paymentsTopology, { stage }), dynamodb))!;
    const jobs = keyedJobs();
    const uniqueJobs = (): UniqueJobs => ({ key: jobKey, policy: 'wait', lock: new DynamoDbJobLock({ tableName, dynamodb, leaseSeconds: 30 }) });
    const workers = [consumer(jobs.run, { uniqueJobs: uniqueJobs(), concurrency: 2 }), consumer(jobs.run, { uniqueJobs: uniqueJobs(), concurrency: 2 })];
    await Promise.all(['job#1', 'job#2', 'job#3', 'other#1'].map(send));
    for (const worker of workers) worker.start();
    await until(() => jobs.done().length === 4, 25_000);
    expect(jobs.overlapped()).toBe(false);
    expect(jobs.done()).toEqual(['job#1', 'job#2', 'job#3', 'other#1']);
  }, 30_000);

  it('runs a delayed child task after its delay, in the flow of the job that enqueued it', async () => {
    const { stage, provisioned, consumer } = await setUp();
    const publisher = new Publisher(paymentsTopology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs });
    let enqueuedAt = 0;
    const parent = consumer(async (message) => {
      await publisher.send('receipt.archive', { paymentId: message.data.paymentId }, { ...childOf(message), delaySeconds: 2 });
      enqueuedAt = Date.now();
    });
    const children: Array<{ message: Envelope<{ paymentId: string }>; ranAt: number }> = [];
    const child = new PollingConsumer(paymentsTopology, {
      stage,
      queue: 'receipt-archive',
      sqs: clients.sqs,
      queueUrl: provisioned.queues.get('receipt-archive')!.url,
      waitTimeSeconds: 1,
      logger: createLogger({}, { write: () => undefined }),
      writeMetrics: () => undefined,
      handlers: { 'receipt.archive': (message) => void children.push({ message, ranAt: Date.now() }) },
    });
    running.push(child);
    parent.start();
    child.start();
    const { id: parentId } = await publisher.publish('payment.received', { paymentId: 'p-child', amountCents: 5 }, { correlationId: 'flow-7' });

    await until(() => children.length === 1);
    expect(children[0]!.ranAt - enqueuedAt).toBeGreaterThanOrEqual(1900);
    expect(children[0]!.message).toMatchObject({ type: 'receipt.archive', data: { paymentId: 'p-child' }, correlationid: 'flow-7', causationid: parentId });
  }, 30_000);
});
