import { z } from 'zod/mini';
import { emulatorKind } from '../lib/local/embedded-emulator.ts';
import { LocalEventSource } from '../lib/local/local-event-source.ts';
import { startLocalEnvironment } from '../lib/local/local-environment.ts';
import { createAwsClients } from '../lib/aws/aws-clients.ts';
import { createSqsHandler } from '../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { PollingConsumer } from '../lib/runtime/consuming/polling/polling-consumer.ts';
import { endpointClientOptions } from '../lib/aws/local-endpoint.ts';
import { createLogger } from '../lib/runtime/observability/logger.ts';
import { Publisher } from '../lib/runtime/publishing/publisher.ts';
import { defineTopology } from '../lib/topology/define-topology.ts';
import { resolveTopology } from '../lib/topology/resolve-topology.ts';

/** One event, one topic, a Lambda subscriber and a worker: what a publish reaches in a service. */
const latencyTopology = defineTopology({
  app: 'lat',
  events: { 'tick.sent': { schema: z.object({ n: z.number() }) } },
  topics: { ticks: { events: ['tick.sent'] } },
  subscribers: {
    reactor: { topic: 'ticks', events: ['tick.sent'], handler: { kind: 'lambda', entry: 'functions/none.ts', timeoutSeconds: 30 } },
    cruncher: { topic: 'ticks', events: ['tick.sent'], handler: { kind: 'worker', timeoutSeconds: 60, concurrency: 50 } },
  },
});

export type Subscriber = 'Lambda subscriber' | 'worker';

export interface LatencyFigures {
  readonly rate: number;
  readonly messages: number;
  /** The rate the publishes kept up, which a busy machine or emulator holds below `rate`. */
  readonly publishedRate: number;
  /** Publish call → handler start, in ms, per subscriber. */
  readonly p50: Record<Subscriber, number>;
  readonly p99: Record<Subscriber, number>;
}

const silent = createLogger({}, { write: () => undefined });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * End-to-end latency a user feels: from the publish call to the handler's
 * start, through SNS and SQS on the embedded emulator, for a Lambda subscriber
 * behind the local event source (two pollers, as `postbox dev` runs it) and for
 * a worker (PollingConsumer at the topology's concurrency), both with the local
 * system's 1 s long poll, at a steady publishing rate.
 */
export async function benchLatency(runs: ReadonlyArray<{ rate: number; messages: number }> = defaultRuns): Promise<{ emulator: string; figures: LatencyFigures[] }> {
  const stage = 'bench';
  const local = await startLocalEnvironment(resolveTopology(latencyTopology, { stage }), { logger: silent });
  const clients = createAwsClients(endpointClientOptions({ endpoint: local.endpoint }));
  const publishedAt = new Map<number, number>();
  const started: Record<Subscriber, Map<number, number>> = { 'Lambda subscriber': new Map(), worker: new Map() };
  const note = (subscriber: Subscriber, n: number) => void (started[subscriber].has(n) || started[subscriber].set(n, performance.now()));
  const queues = local.provisioned.queues;
  // Two pollers per Lambda queue, as `postbox dev` runs them.
  const lambdaHandler = createSqsHandler(latencyTopology, {
    stage,
    queue: 'reactor',
    sqs: clients.sqs,
    logger: silent,
    writeMetrics: () => undefined,
    handlers: { 'tick.sent': ({ data }) => note('Lambda subscriber', data.n) },
  });
  // Two pollers per Lambda queue, as `postbox dev` runs them.
  const lambdaPollers = [1, 2].map(() => new LocalEventSource({ sqs: clients.sqs, queueUrl: queues.get('reactor')!.url, waitTimeSeconds: 1, handler: lambdaHandler }));
  const worker = new PollingConsumer(latencyTopology, {
    stage,
    queue: 'cruncher',
    sqs: clients.sqs,
    queueUrl: queues.get('cruncher')!.url,
    deadLetterQueueUrl: queues.get('cruncher')!.deadLetterUrl,
    waitTimeSeconds: 1,
    logger: silent,
    writeMetrics: () => undefined,
    handlers: { 'tick.sent': ({ data }) => note('worker', data.n) },
  });
  const publisher = new Publisher(latencyTopology, { stage, source: 'bench', sns: clients.sns, sqs: clients.sqs, routes: { topicArns: Object.fromEntries(local.provisioned.topicArns) } });
  const figures: LatencyFigures[] = [];
  let next = 0;
  try {
    for (const poller of lambdaPollers) poller.start();
    worker.start();
    for (const { rate, messages } of runs) {
      const first = next;
      const begin = performance.now();
      const publishes: Promise<unknown>[] = [];
      for (let i = 0; i < messages; i += 1) {
        const due = begin + (i * 1000) / rate;
        if (due > performance.now()) await sleep(due - performance.now());
        const n = next++;
        publishedAt.set(n, performance.now());
        publishes.push(publisher.publish('tick.sent', { n }));
      }
      await Promise.all(publishes);
      const publishedRate = messages / ((performance.now() - begin) / 1000);
      const deadline = Date.now() + 60_000;
      const all = () => Object.values(started).every((seen) => [...Array(messages).keys()].every((i) => seen.has(first + i)));
      while (!all()) {
        if (Date.now() > deadline) throw new Error(`latency bench: not every message of the ${rate} msg/s run reached both subscribers within 60 s`);
        await sleep(20);
      }
      const latencies = (subscriber: Subscriber) => Array.from({ length: messages }, (_, i) => started[subscriber].get(first + i)! - publishedAt.get(first + i)!);
      const subscribers: Subscriber[] = ['Lambda subscriber', 'worker'];
      figures.push({
        rate,
        messages,
        publishedRate,
        p50: Object.fromEntries(subscribers.map((s) => [s, percentile(latencies(s), 50)])) as Record<Subscriber, number>,
        p99: Object.fromEntries(subscribers.map((s) => [s, percentile(latencies(s), 99)])) as Record<Subscriber, number>,
      });
    }
  } finally {
    await Promise.all([...lambdaPollers.map((poller) => poller.stop()), worker.stop()]);
    await local.stop();
  }
  return { emulator: emulatorKind(), figures };
}

const defaultRuns = [
  { rate: 10, messages: 100 },
  { rate: 500, messages: 2500 },
];
