import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { provisionJobLockTable, provisionTopology } from '../../lib/local/provisioner.ts';
import { childOf, type Envelope } from '../../lib/messages/envelope.ts';
import { createLogger } from '../../lib/runtime/logger.ts';
import { DynamoDbJobLock } from '../../lib/runtime/polling/dynamodb-job-lock.ts';
import { PollingConsumer, type PollingConsumerOptions } from '../../lib/runtime/polling/polling-consumer.ts';
import type { UniqueJobs } from '../../lib/runtime/polling/unique-jobs.ts';
import { Publisher } from '../../lib/runtime/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { queueDepth } from '../helpers/queue-probe.ts';
import { describeCommand, faultInjectingSqs } from '../helpers/fault-injecting-sqs.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { LedgerEntry } from '../helpers/payments-topology.ts';

type Payments = typeof paymentsTopology;
const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
const running: PollingConsumer<Payments>[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

async function setUp() {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
  const archive = provisioned.queues.get('archive')!;
  const logs: Array<Record<string, unknown>> = [];
  const consumer = (handle: (message: Envelope<{ paymentId: string }>, signal?: AbortSignal) => unknown, options: Partial<PollingConsumerOptions<Payments>> = {}) => {
    const created = new PollingConsumer(paymentsTopology, {
      stage,
      queue: 'archive',
      sqs: clients.sqs,
      queueUrl: archive.url,
      deadLetterQueueUrl: archive.deadLetterUrl,
      waitTimeSeconds: 1,
      logger: createLogger({}, { write: (line) => logs.push(JSON.parse(line)) }),
      writeMetrics: () => undefined,
      random: () => 0,
      handlers: { 'payment.received': (message, context) => handle(message, context.signal) },
      ...options,
    });
    running.push(created);
    return created;
  };
  const send = async (paymentId: string) =>
    clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: archive.url,
        MessageBody: JSON.stringify({ paymentId, amountCents: 1 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
      }),
    );
  return { stage, provisioned, archive, consumer, send, logs };
}

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
};

/** A promise to open from outside: handlers wait on it instead of sleeping a guessed time. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Resolves on the first log line whose message starts with `prefix`. */
const logLine = (logs: Array<Record<string, unknown>>, prefix: string) => until(() => logs.some((line) => String(line.message).startsWith(prefix)));

/** A FIFO worker queue: the order of each message group must hold across failures. */
const booksTopology = defineTopology({
  app: 'fw',
  events: { 'ledger.entry': { schema: LedgerEntry } },
  topics: { ledger: { events: ['ledger.entry'], fifo: true } },
  subscribers: {
    books: {
      topic: 'ledger',
      events: ['ledger.entry'],
      handler: { kind: 'worker', timeoutSeconds: 8, concurrency: 6 },
      queue: { maxReceiveCount: 3, backoff: { baseSeconds: 1, capSeconds: 1 }, visibilityTimeoutSeconds: 3 },
    },
  },
});

/** The job key of a payment id: what comes before `#`. */
const jobKey = (message: Envelope) => (message.data as { paymentId: string }).paymentId.split('#')[0];

/** Jobs that take 800 ms each and note whether two of one key ever ran at once. */
function keyedJobs() {
  const running = new Map<string, number>();
  const done: string[] = [];
  let overlap = false;
  const run = async ({ data }: Envelope<{ paymentId: string }>) => {
    const key = data.paymentId.split('#')[0]!;
    running.set(key, (running.get(key) ?? 0) + 1);
    if (running.get(key)! > 1) overlap = true;
    await sleep(800);
    running.set(key, running.get(key)! - 1);
    done.push(data.paymentId);
  };
  return { run, done, overlapped: () => overlap };
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
    const worker = consumer(async ({ data }) => {
      await stopBegun.opened;
      finished.push(data.paymentId);
    });
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

  it('never runs two jobs with the same key at once', async () => {
    const { consumer, send } = await setUp();
    const jobs = keyedJobs();
    const worker = consumer(jobs.run, { uniqueJobs: { key: jobKey, policy: 'wait' } });
    await Promise.all(['job#1', 'job#2', 'other#1'].map(send));
    worker.start();
    await until(() => jobs.done.length === 3, 25_000);
    expect(jobs.overlapped()).toBe(false);
    expect(jobs.done.sort()).toEqual(['job#1', 'job#2', 'other#1']);
  }, 30_000);

  it('never runs two jobs with the same key at once across two workers sharing the DynamoDB lock', async () => {
    const { stage, consumer, send } = await setUp();
    const tableName = (await provisionJobLockTable(resolveTopology(paymentsTopology, { stage }), dynamodb))!;
    const jobs = keyedJobs();
    const uniqueJobs = (): UniqueJobs => ({ key: jobKey, policy: 'wait', lock: new DynamoDbJobLock({ tableName, dynamodb, leaseSeconds: 30 }) });
    const workers = [consumer(jobs.run, { uniqueJobs: uniqueJobs(), concurrency: 2 }), consumer(jobs.run, { uniqueJobs: uniqueJobs(), concurrency: 2 })];
    await Promise.all(['job#1', 'job#2', 'job#3', 'other#1'].map(send));
    for (const worker of workers) worker.start();
    await until(() => jobs.done.length === 4, 25_000);
    expect(jobs.overlapped()).toBe(false);
    expect(jobs.done.sort()).toEqual(['job#1', 'job#2', 'job#3', 'other#1']);
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

  it('keeps the order of each FIFO group across a failure, releasing the rest of the group', async () => {
    const stage = uniqueStage();
    const provisioned = await provisionTopology(resolveTopology(booksTopology, { stage }), clients);
    const books = provisioned.queues.get('books')!;
    const events: string[] = [];
    let failedOnce = false;
    const worker = new PollingConsumer(booksTopology, {
      stage,
      queue: 'books',
      sqs: clients.sqs,
      queueUrl: books.url,
      deadLetterQueueUrl: books.deadLetterUrl,
      waitTimeSeconds: 1,
      logger: createLogger({}, { write: () => undefined }),
      writeMetrics: () => undefined,
      random: () => 0,
      handlers: {
        'ledger.entry': async ({ data }) => {
          const name = `${data.account}${data.sequence}`;
          events.push(`start ${name}`);
          await sleep(200);
          if (name === 'a1' && !failedOnce) {
            failedOnce = true;
            events.push(`fail ${name}`);
            throw new Error('transient');
          }
          events.push(`end ${name}`);
        },
      },
    });
    running.push(worker as unknown as PollingConsumer<Payments>);
    for (const [account, sequence] of [['a', 1], ['b', 1], ['a', 2], ['a', 3], ['b', 2]] as const) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: books.url,
          MessageBody: JSON.stringify({ account, sequence }),
          MessageAttributes: { type: { DataType: 'String', StringValue: 'ledger.entry' } },
          MessageGroupId: account,
          MessageDeduplicationId: `${account}${sequence}`,
        }),
      );
    }
    worker.start();
    await until(() => events.filter((event) => event.startsWith('end')).length === 5);
    const ofGroup = (account: string) => events.filter((event) => event.endsWith(`${account}1`) || event.endsWith(`${account}2`) || event.endsWith(`${account}3`)).filter((event) => event.includes(` ${account}`));
    expect(ofGroup('a')).toEqual(['start a1', 'fail a1', 'start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    expect(ofGroup('b')).toEqual(['start b1', 'end b1', 'start b2', 'end b2']);
  }, 30_000);

  it('abandons a task whose visibility cannot be extended before it expires, and never runs one message twice at once', async () => {
    const { consumer, send, logs } = await setUp();
    // Every heartbeat fails; SQS hands the message out again once its 2 s visibility is over.
    const sqs = faultInjectingSqs(clients.sqs, (command) => {
      const { name, input } = describeCommand(command);
      if (name === 'ChangeMessageVisibilityCommand' && (input.VisibilityTimeout as number) > 0) throw new Error('heartbeat refused');
    });
    let runningNow = 0;
    let peak = 0;
    let starts = 0;
    let aborts = 0;
    const worker = consumer(
      async (_message, signal) => {
        starts += 1;
        runningNow += 1;
        peak = Math.max(peak, runningNow);
        await Promise.race([new Promise((resolve) => signal?.addEventListener('abort', resolve)), sleep(6000)]);
        if (signal?.aborted) aborts += 1;
        runningNow -= 1;
      },
      { sqs, taskTimeoutSeconds: 20 },
    );
    await send('hidden-twice');
    worker.start();
    await until(() => starts >= 2);
    expect(peak).toBe(1);
    expect(aborts).toBeGreaterThanOrEqual(1);
    expect(logs.map((line) => line.message)).toContain('could not extend the visibility of a running task before it expired; abandoning it, SQS hands it out again');
  }, 30_000);

  it('on stop, waits for the deletes of finished tasks still in flight after the grace period', async () => {
    const { consumer, send, logs, archive } = await setUp();
    // The delete of the finished task is held until the grace period is over.
    const sqs = faultInjectingSqs(clients.sqs, async (command) => {
      if (describeCommand(command).name === 'DeleteMessageBatchCommand') await logLine(logs, 'grace period over');
    });
    const handled = gate();
    const worker = consumer(() => handled.open(), { sqs, shutdownGraceSeconds: 1 });
    const processed: string[] = [];
    worker.on('message_processed', (message) => processed.push(message.messageId));
    await send('deleted-before-exit');
    worker.start();
    await handled.opened;
    await worker.stop('signal');
    expect(processed).toHaveLength(1);
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 0, inFlight: 0 });
  }, 30_000);

  it('holds the slot of a task past its time limit until its handler returns, and stops when too many are abandoned', async () => {
    const { consumer, send, logs } = await setUp();
    const stuck = gate();
    let runningNow = 0;
    let peak = 0;
    let starts = 0;
    const worker = consumer(
      async () => {
        starts += 1;
        runningNow += 1;
        peak = Math.max(peak, runningNow);
        await stuck.opened; // ignores its abort signal
        runningNow -= 1;
      },
      { concurrency: 2, taskTimeoutSeconds: 1 },
    );
    let reason: string | undefined;
    worker.once('stopped', (stopReason) => (reason = stopReason));
    await Promise.all(['s1', 's2', 's3', 's4'].map(send));
    worker.start();
    try {
      await until(() => reason !== undefined || starts > 2);
      expect(starts).toBe(2);
      expect(peak).toBe(2);
      await until(() => reason !== undefined);
      expect(reason).toBe('abandoned-handlers');
      expect(logs.map((line) => line.message)).toContain(
        'stopping: 2 handlers still run past their time limit, ignoring their abort signal and holding their slots (limit maxAbandonedHandlers); exiting with code 70 so the supervisor starts a fresh process',
      );
    } finally {
      stuck.open();
    }
  }, 30_000);

  it('stops extending the visibility of a task it released', async () => {
    const { consumer, send } = await setUp();
    let releasedAt = 0;
    const extensionsAfterRelease: number[] = [];
    const sqs = faultInjectingSqs(clients.sqs, (command) => {
      const { name, input } = describeCommand(command);
      if (releasedAt > 0 && name === 'ChangeMessageVisibilityCommand' && (input.VisibilityTimeout as number) > 0) extensionsAfterRelease.push(Date.now());
    });
    const stuck = gate();
    const started = gate();
    const worker = consumer(
      async () => {
        started.open();
        await stuck.opened; // ignores its abort signal
      },
      { sqs, shutdownGraceSeconds: 1 },
    );
    worker.on('message_released', () => (releasedAt = Date.now()));
    await send('let-go');
    worker.start();
    await started.opened;
    await worker.stop('signal');
    // The handler runs on; a heartbeat still ticking would extend the message within a second (visibility 2 s).
    await sleep(2000);
    stuck.open();
    expect(releasedAt).toBeGreaterThan(0);
    expect(extensionsAfterRelease).toEqual([]);
  }, 30_000);

  it('backs off while receives fail, with one log line for the outage and one when it recovers', async () => {
    const { consumer, send, logs } = await setUp();
    let failuresLeft = 6;
    const sqs = faultInjectingSqs(clients.sqs, (command) => {
      if (describeCommand(command).name === 'ReceiveMessageCommand' && failuresLeft > 0) {
        failuresLeft -= 1;
        throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
      }
    });
    const handled: string[] = [];
    const worker = consumer(({ data }) => void handled.push(data.paymentId), { sqs, concurrency: 50 });
    let pollErrors = 0;
    worker.on('poll_error', () => (pollErrors += 1));
    await send('after-outage');
    worker.start();
    await until(() => handled.length === 1);
    await logLine(logs, 'receive recovered');
    expect(pollErrors).toBe(6);
    const receiveLines = logs.filter((line) => String(line.message).startsWith('receive'));
    expect(receiveLines.map((line) => [line.level, line.message, line.failures])).toEqual([
      ['error', 'receive failing; backing off exponentially until it recovers', 1],
      ['info', 'receive recovered', 6],
    ]);
  }, 30_000);
});
