import http from 'node:http';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { createEnvelope } from '../lib/messages/envelope.ts';
import { ordersTopology } from '../lib/example/orders-topology.ts';
import { startLocalEnvironment } from '../lib/local/local-environment.ts';
import { encodeMessage } from '../lib/messages/message-codec.ts';
import { createLogger } from '../lib/runtime/logger.ts';
import { PollingConsumer } from '../lib/runtime/polling/polling-consumer.ts';
import { startFakeSqsServer } from './fixtures/fake-sqs-server.ts';

export interface ConsumerFigures {
  readonly messagesPerSecond: Record<string, number>;
  /** Milliseconds with no handler running, per 100 messages. */
  readonly idleMsPer100: Record<string, number>;
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

/** One run of each consumer against `queueUrl`, which `fill` loads before each. */
async function race(
  endpoint: string,
  queueUrl: string,
  fill: (bodies: string[]) => Promise<void> | void,
  messages: number,
  concurrency: { ours: number; theirs: number },
  handlerMs: number,
  stage: string,
): Promise<{ rates: Record<string, number>; idle: Record<string, number> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency.ours * 2 });
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, requestHandler: { httpAgent: agent } });
  const rates: Record<string, number> = {};
  const idle: Record<string, number> = {};
  const task = () => sleep(handlerMs);
  try {
    await fill(bodies(messages));
    const ours = new IdleClock();
    const polling = new PollingConsumer(ordersTopology, {
      stage,
      queue: 'analytics',
      sqs,
      queueUrl,
      deadLetterQueueUrl: queueUrl,
      concurrency: concurrency.ours,
      waitTimeSeconds: 1,
      logger: silent,
      writeMetrics: () => undefined,
      handlers: { 'order.cancelled': () => ours.around(task) },
    });
    let started = performance.now();
    polling.start();
    await untilHandled(ours, messages, 120_000);
    rates.PollingConsumer = messages / ((performance.now() - started) / 1000);
    idle.PollingConsumer = (ours.idleMs / messages) * 100;
    await polling.stop();

    await fill(bodies(messages));
    const theirs = new IdleClock();
    const consumer = Consumer.create({
      queueUrl,
      sqs,
      batchSize: concurrency.theirs,
      waitTimeSeconds: 1,
      pollingWaitTimeMs: 0,
      handleMessage: async () => {
        await theirs.around(task);
        return undefined;
      },
    });
    consumer.on('error', () => undefined);
    started = performance.now();
    consumer.start();
    await untilHandled(theirs, messages, 120_000);
    rates['sqs-consumer'] = messages / ((performance.now() - started) / 1000);
    idle['sqs-consumer'] = (theirs.idleMs / messages) * 100;
    consumer.stop({ abort: true });
  } finally {
    agent.destroy();
  }
  return { rates, idle };
}

/**
 * PollingConsumer against sqs-consumer on a handler that awaits 50 ms, in one
 * run: at equal concurrency (10, the most sqs-consumer runs at once: one batch)
 * and with PollingConsumer at 50, against a local SQS endpoint answering after
 * 20 ms; and at equal concurrency against moto, for reference.
 */
export async function benchConsumers(messages = 1000, motoMessages = 60): Promise<Record<string, ConsumerFigures>> {
  const figures: Record<string, ConsumerFigures> = {};
  for (const ours of [10, 50]) {
    // A fresh endpoint each time: a receive still under way in a stopped consumer must not take the next run's messages.
    const server = await startFakeSqsServer(20);
    try {
      const { rates, idle } = await race(server.endpoint, server.queueUrl, (b) => server.fill(b), messages, { ours, theirs: 10 }, 50, 'bench');
      figures[`local endpoint, PollingConsumer at ${ours}, sqs-consumer at 10`] = { messagesPerSecond: rates, idleMsPer100: idle };
    } finally {
      await server.close();
    }
  }
  const local = await startLocalEnvironment(ordersTopology, { stage: 'bench', logger: silent });
  try {
    const queueUrl = local.provisioned.queues.get('analytics')!.url;
    const motoSqs = new SQSClient({ endpoint: local.endpoint, region: 'us-east-1' });
    const fill = async (all: string[]) => {
      for (let i = 0; i < all.length; i += 10) {
        await motoSqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: all.slice(i, i + 10).map((body, index) => ({ Id: String(index), MessageBody: body })) }));
      }
    };
    const { rates, idle } = await race(local.endpoint, queueUrl, fill, motoMessages, { ours: 10, theirs: 10 }, 50, 'bench');
    figures['moto (reference), both at 10'] = { messagesPerSecond: rates, idleMsPer100: idle };
  } finally {
    await local.stop();
  }
  return figures;
}
