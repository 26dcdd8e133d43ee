import http from 'node:http';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { createEnvelope } from '../lib/messages/envelope.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { emulatorKind } from '../lib/local/embedded-emulator.ts';
import { startLocalEnvironment } from '../lib/local/local-environment.ts';
import { resolveTopology } from '../lib/topology/resolve-topology.ts';
import { encodeMessage } from '../lib/messages/message-codec.ts';
import { createLogger } from '../lib/runtime/observability/logger.ts';
import { PollingConsumer } from '../lib/runtime/consuming/polling/polling-consumer.ts';
import { startFakeSqsServer } from './fixtures/fake-sqs-server.ts';

export interface ConsumerFigures {
  readonly messagesPerSecond: Record<string, number>;
  /** Milliseconds with no handler running, per 100 messages. */
  readonly idleMsPer100: Record<string, number>;
  /** SQS API requests per 100 messages (what AWS bills), where the endpoint counts them. */
  readonly requestsPer100?: Record<string, number>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const silent = createLogger({}, { write: () => undefined });

/** Tracks how long no handler was running: the consumer's idle time between batches. */
class IdleClock {
  private active = 0;
  private idleSince = performance.now();
  idleMs = 0;
  handled = 0;

  async around(work: () => Promise<void>): Promise<void> {
    if (this.active++ === 0) this.idleMs += performance.now() - this.idleSince;
    try {
      await work();
    } finally {
      this.handled += 1;
      if (--this.active === 0) this.idleSince = performance.now();
    }
  }
}

function bodies(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    encodeMessage(createEnvelope({ type: 'order.cancelled', kind: 'event', source: 'bench', data: { orderId: `o-${i}`, reason: 'bench' } })).body,
  );
}

async function untilHandled(clock: IdleClock, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (clock.handled < count) {
    if (Date.now() > deadline) throw new Error(`only ${clock.handled} of ${count} messages handled in ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** What each consumer runs at: PollingConsumer's concurrency; sqs-consumer's instances, each one batch of 10 at a time. */
export interface RaceSetting {
  readonly ours: number;
  readonly theirInstances: number;
}

/** One run of each consumer against `queueUrl`, which `fill` loads before each. */
async function race(
  endpoint: string,
  queueUrl: string,
  fill: (bodies: string[]) => Promise<void> | void,
  messages: number,
  setting: RaceSetting,
  handlerMs: number,
  requestsSoFar?: () => number,
): Promise<ConsumerFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, requestHandler: { httpAgent: agent } });
  const messagesPerSecond: Record<string, number> = {};
  const idleMsPer100: Record<string, number> = {};
  const requestsPer100: Record<string, number> = {};
  const task = () => sleep(handlerMs);
  const timed = async (name: string, clock: IdleClock, start: () => void, stop: () => Promise<void> | void) => {
    const started = performance.now();
    const requestsBefore = requestsSoFar?.() ?? 0;
    start();
    await untilHandled(clock, messages, 120_000);
    messagesPerSecond[name] = messages / ((performance.now() - started) / 1000);
    idleMsPer100[name] = (clock.idleMs / messages) * 100;
    if (requestsSoFar) requestsPer100[name] = ((requestsSoFar() - requestsBefore) / messages) * 100;
    await stop();
  };
  try {
    await fill(bodies(messages));
    const ours = new IdleClock();
    const polling = new PollingConsumer(ordersTopology, {
      stage: 'bench',
      queue: 'analytics',
      sqs,
      queueUrl,
      deadLetterQueueUrl: queueUrl,
      concurrency: setting.ours,
      waitTimeSeconds: 1,
      logger: silent,
      writeMetrics: () => undefined,
      handlers: { 'order.cancelled': () => ours.around(task) },
    });
    await timed('PollingConsumer', ours, () => polling.start(), () => polling.stop());

    await fill(bodies(messages));
    const theirs = new IdleClock();
    const consumers = Array.from({ length: setting.theirInstances }, () =>
      Consumer.create({
        queueUrl,
        sqs,
        batchSize: 10,
        waitTimeSeconds: 1,
        pollingWaitTimeMs: 0,
        // Returning the message is how sqs-consumer is told to delete it.
        handleMessage: async (message) => {
          await theirs.around(task);
          return message;
        },
      }),
    );
    for (const consumer of consumers) consumer.on('error', () => undefined);
    await timed(
      'sqs-consumer',
      theirs,
      () => consumers.forEach((consumer) => consumer.start()),
      () => consumers.forEach((consumer) => consumer.stop({ abort: true })),
    );
  } finally {
    agent.destroy();
  }
  return { messagesPerSecond, idleMsPer100, ...(requestsSoFar && { requestsPer100 }) };
}

export interface ConsumerRace extends ConsumerFigures {
  readonly setting: RaceSetting;
  readonly roundTripMs?: number;
}

/** The handler of every race: IO-bound, an await of 50 ms. */
export const HANDLER_MS = 50;
/** The local endpoint's answer delay, standing for the round trip to SQS. */
export const ROUND_TRIP_MS = 20;

/**
 * PollingConsumer against sqs-consumer on a handler that awaits 50 ms, in one
 * run, against a local SQS endpoint answering after 20 ms: at equal
 * concurrency 10 (one sqs-consumer: one batch of 10 at a time) and 50 (five
 * sqs-consumers), and with one of each at its most; then at equal concurrency
 * 10 against the embedded emulator (fauxqs), for reference.
 */
export async function benchConsumers(messages = 1000, emulatorMessages = 1000): Promise<Record<string, ConsumerRace>> {
  const races: Record<string, ConsumerRace> = {};
  const settings: Record<string, RaceSetting> = {
    'equal concurrency 10': { ours: 10, theirInstances: 1 },
    'equal concurrency 50': { ours: 50, theirInstances: 5 },
    'one consumer each, at its most (50 vs 10)': { ours: 50, theirInstances: 1 },
  };
  for (const [name, setting] of Object.entries(settings)) {
    // A fresh endpoint each time: a receive still under way in a stopped consumer must not take the next run's messages.
    const server = await startFakeSqsServer(ROUND_TRIP_MS);
    const requests = () => Object.values(server.calls).reduce((sum, count) => sum + count, 0);
    try {
      races[name] = { setting, roundTripMs: ROUND_TRIP_MS, ...(await race(server.endpoint, server.queueUrl, (b) => server.fill(b), messages, setting, HANDLER_MS, requests)) };
    } finally {
      await server.close();
    }
  }
  const local = await startLocalEnvironment(resolveTopology(ordersTopology, { stage: 'bench' }), { logger: silent });
  try {
    const queueUrl = local.provisioned.queues.get('analytics')!.url;
    const sqs = new SQSClient({ endpoint: local.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const fill = async (all: string[]) => {
      for (let i = 0; i < all.length; i += 10) {
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: all.slice(i, i + 10).map((body, index) => ({ Id: String(index), MessageBody: body })) }));
      }
    };
    const setting = { ours: 10, theirInstances: 1 };
    races[`${emulatorKind()} (reference), equal concurrency 10`] = { setting, ...(await race(local.endpoint, queueUrl, fill, emulatorMessages, setting, HANDLER_MS)) };
  } finally {
    await local.stop();
  }
  return races;
}
