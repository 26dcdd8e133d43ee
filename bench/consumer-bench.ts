import { spawn } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { createEnvelope } from '../lib/messages/envelope.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { encodeMessage } from '../lib/messages/message-codec.ts';
import { createLogger } from '../lib/runtime/observability/logger.ts';
import { PollingConsumer } from '../lib/runtime/consuming/polling/polling-consumer.ts';
import { startFakeSqsServer } from './fixtures/fake-sqs-server.ts';

/** The handler of every run: IO-bound, an await of 50 ms. */
export const HANDLER_MS = 50;
/** The local endpoint's answer delay, standing for the round trip to SQS. */
export const ROUND_TRIP_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const silent = createLogger({}, { write: () => undefined });

export type Contender = 'PollingConsumer' | 'PollingConsumer, prefetch' | 'sqs-consumer';

/** One run of one contender: throughput and SQS requests (what AWS bills). */
export interface RunFigures {
  readonly messagesPerSecond: number;
  readonly requestsPer100: number;
}

export interface RaceSetting {
  readonly concurrency: number;
  /** Read-ahead of `PollingConsumer, prefetch`. */
  readonly prefetch: number;
  /** Messages per run. */
  readonly messages: number;
}

export interface ConsumerRace {
  readonly setting: RaceSetting;
  /** Every round's figures, per contender. */
  readonly runs: Record<Contender, RunFigures[]>;
}

function bodies(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    encodeMessage(createEnvelope({ type: 'order.cancelled', kind: 'event', source: 'bench', data: { orderId: `o-${i}`, reason: 'bench' } })).body,
  );
}

function clientOf(endpoint: string, agent: http.Agent): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, requestHandler: { httpAgent: agent } });
}

function pollingConsumer(sqs: SQSClient, queueUrl: string, concurrency: number, prefetch: number, handle: () => Promise<void>) {
  return new PollingConsumer(ordersTopology, {
    stage: 'bench',
    queue: 'analytics',
    sqs,
    queueUrl,
    deadLetterQueueUrl: queueUrl,
    concurrency,
    prefetch,
    waitTimeSeconds: 1,
    logger: silent,
    writeMetrics: () => undefined,
    heartbeatIntervalSeconds: 3600,
    handlers: { 'order.cancelled': handle },
  });
}

/** One contender's run on a fresh endpoint (a receive still under way in a stopped consumer must not take the next run's messages). */
async function runOnce(contender: Contender, setting: RaceSetting): Promise<RunFigures> {
  const server = await startFakeSqsServer(ROUND_TRIP_MS);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const sqs = clientOf(server.endpoint, agent);
  let handled = 0;
  const handle = async () => {
    await sleep(HANDLER_MS);
    handled += 1;
  };
  server.fill(bodies(setting.messages));
  const requests = () => Object.values(server.calls).reduce((sum, count) => sum + count, 0);
  let stop: () => Promise<unknown> | void;
  const started = performance.now();
  if (contender === 'sqs-consumer') {
    // sqs-consumer handles one batch of 10 at a time: equal concurrency is one instance per 10.
    const consumers = Array.from({ length: setting.concurrency / 10 }, () =>
      Consumer.create({
        queueUrl: server.queueUrl,
        sqs,
        batchSize: 10,
        waitTimeSeconds: 1,
        pollingWaitTimeMs: 0,
        // Returning the message is how sqs-consumer is told to delete it.
        handleMessage: async (message) => {
          await handle();
          return message;
        },
      }),
    );
    for (const consumer of consumers) consumer.on('error', () => undefined);
    for (const consumer of consumers) consumer.start();
    stop = () => {
      for (const consumer of consumers) consumer.stop({ abort: true });
    };
  } else {
    const consumer = pollingConsumer(sqs, server.queueUrl, setting.concurrency, contender === 'PollingConsumer' ? 0 : setting.prefetch, handle);
    consumer.start();
    stop = () => consumer.stop();
  }
  try {
    const deadline = Date.now() + 120_000;
    while (handled < setting.messages) {
      if (Date.now() > deadline) throw new Error(`${contender}: only ${handled} of ${setting.messages} messages handled in 120 s`);
      await sleep(2);
    }
    const seconds = (performance.now() - started) / 1000;
    // Requests counted once every message is handled: the deletes of the last ones may still be under way, as for each contender.
    const figures = { messagesPerSecond: setting.messages / seconds, requestsPer100: (requests() / setting.messages) * 100 };
    await stop();
    return figures;
  } finally {
    agent.destroy();
    await server.close();
  }
}

/**
 * PollingConsumer without and with read-ahead against sqs-consumer at equal
 * concurrency, on a 50 ms handler and a local SQS endpoint answering after
 * 20 ms, in interleaved rounds (each round runs all three in turn), so a busy
 * machine slows each alike and the ratios hold.
 */
export async function benchConsumers(rounds = 5, settings: Record<string, RaceSetting> = defaultSettings): Promise<Record<string, ConsumerRace>> {
  const races: Record<string, ConsumerRace> = {};
  const contenders: Contender[] = ['PollingConsumer', 'PollingConsumer, prefetch', 'sqs-consumer'];
  for (const [name, setting] of Object.entries(settings)) {
    const runs = { PollingConsumer: [], 'PollingConsumer, prefetch': [], 'sqs-consumer': [] } as Record<Contender, RunFigures[]>;
    for (let round = 0; round < rounds; round += 1) {
      // The order turns each round, so no contender always runs first after a pause.
      for (let i = 0; i < contenders.length; i += 1) {
        const contender = contenders[(i + round) % contenders.length]!;
        runs[contender].push(await runOnce(contender, setting));
      }
    }
    races[name] = { setting, runs };
  }
  return races;
}

const defaultSettings: Record<string, RaceSetting> = {
  'concurrency 10': { concurrency: 10, prefetch: 10, messages: 600 },
  'concurrency 50': { concurrency: 50, prefetch: 50, messages: 2500 },
};

export interface LoadFigures {
  readonly concurrency: number;
  readonly prefetch: number;
  readonly messages: number;
  readonly messagesPerSecond: number;
  readonly cpuMsPer1000: number;
  readonly early: number;
  /** Heap and resident memory after a full GC, once `early` and once all messages were handled. */
  readonly memory: { readonly early: MemoryFigures; readonly end: MemoryFigures };
}

export interface MemoryFigures {
  readonly heapMb: number;
  readonly rssMb: number;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function memory(): MemoryFigures {
  collectGarbage();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapMb: heapUsed / 2 ** 20, rssMb: rss / 2 ** 20 };
}

/**
 * One PollingConsumer at high concurrency through many messages: throughput,
 * CPU per 1,000 messages, and memory after `early` messages against after all.
 * The endpoint (20 ms round trip) runs in a child process holding every
 * message, so this process's CPU and memory are the consumer's alone.
 */
export async function benchLoad(messages = 100_000, early = 10_000, concurrency = 200, prefetch = 200): Promise<LoadFigures> {
  const file = join(tmpdir(), `postbox-bench-bodies-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(bodies(messages)));
  const fixture = pathToFileURL(join(import.meta.dirname, 'fixtures/fake-sqs-server.ts')).href;
  const script = `
    import { readFileSync } from 'node:fs';
    import { startFakeSqsServer } from ${JSON.stringify(fixture)};
    const server = await startFakeSqsServer(${ROUND_TRIP_MS});
    server.fill(JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8')));
    console.log(JSON.stringify({ endpoint: server.endpoint, queueUrl: server.queueUrl }));
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const [line] = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next().then((next) => [next.value as string]);
    rmSync(file);
    const { endpoint, queueUrl } = JSON.parse(line!) as { endpoint: string; queueUrl: string };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    let handled = 0;
    const consumer = pollingConsumer(clientOf(endpoint, agent), queueUrl, concurrency, prefetch, async () => {
      await sleep(HANDLER_MS);
      handled += 1;
    });
    const deadline = Date.now() + 240_000;
    const until = async (count: number) => {
      while (handled < count) {
        if (Date.now() > deadline) throw new Error(`only ${handled} of ${count} messages handled in time`);
        await sleep(5);
      }
    };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    consumer.start();
    await until(early);
    const earlyMemory = memory();
    await until(messages);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const endMemory = memory();
    await consumer.stop();
    agent.destroy();
    return {
      concurrency,
      prefetch,
      messages,
      early,
      messagesPerSecond: messages / seconds,
      cpuMsPer1000: (cpu.user + cpu.system) / 1000 / (messages / 1000),
      memory: { early: earlyMemory, end: endMemory },
    };
  } finally {
    rmSync(file, { force: true });
    child.stdin!.end();
    child.kill();
  }
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
