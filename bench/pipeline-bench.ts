import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { OrderPlaced, ordersTopology } from '../examples/orders/orders-topology.ts';
import { createSqsHandler } from '../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../lib/runtime/observability/logger.ts';
import { asEvents, orderPlacedRecords } from './fixtures/sqs-records.ts';

/** The contender whose ratio to each other one is taken. */
export const POSTBOX = 'Postbox pipeline';

type Contender = { name: string; run: (event: SQSEvent) => Promise<SQSBatchResponse> };

const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const noop = () => undefined;
let sink = 0;
const handle = (data: { totalCents: number }) => {
  sink += data.totalCents;
};

/** The example with notifications as it comes: the pipeline alone, without its idempotency records (bench/idempotency-bench.ts times those). */
const { idempotency: _, ...notifications } = ordersTopology.subscribers!.notifications;
export const pipelineTopology = { ...ordersTopology, subscribers: { ...ordersTopology.subscribers, notifications } } as typeof ordersTopology;

/** The notifications queue's consumer as the bench runs it: `handle` for order.placed, nothing logged or written. */
export function pipelineOptions(handle: (data: { totalCents: number }) => void) {
  return {
    stage: 'bench',
    queue: 'notifications' as const,
    handlers: { 'order.placed': ({ data }: { data: { totalCents: number } }) => handle(data), 'order.cancelled': noop },
    // Every record succeeds, so the client is never called.
    sqs: new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    logger: createLogger({}, { write: noop }),
    writeMetrics: noop,
  };
}

function contenders(): Contender[] {
  const postbox = createSqsHandler(pipelineTopology, pipelineOptions(handle));
  const powertoolsZod = new BatchProcessor(EventType.SQS);
  const powertoolsParser = new BatchProcessor(EventType.SQS, { parser, innerSchema: OrderPlaced, transformer: 'json' });
  return [
    {
      name: 'bare loop (JSON.parse + zod parse)',
      run: async (event) => {
        const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
        for (const record of event.Records) {
          try {
            handle(OrderPlaced.parse(JSON.parse(record.body)));
          } catch {
            batchItemFailures.push({ itemIdentifier: record.messageId });
          }
        }
        return { batchItemFailures };
      },
    },
    { name: POSTBOX, run: async (event) => (await postbox(event, context)) as SQSBatchResponse },
    {
      name: 'Powertools BatchProcessor, zod in handler',
      run: (event) => processPartialResponse(event, async (record: SQSRecord) => handle(OrderPlaced.parse(JSON.parse(record.body))), powertoolsZod, { context }),
    },
    {
      name: 'Powertools BatchProcessor, parser innerSchema',
      run: (event) =>
        processPartialResponse(event, async (record: { body: { totalCents: number } }) => handle(record.body), powertoolsParser as never, { context }),
    },
  ];
}

export interface PipelineFigures {
  /** Median records per second of each contender. */
  readonly recordsPerSecond: Record<string, number>;
  /** Postbox's records per second over each peer's, round by round: the median and the spread. */
  readonly ratios: Record<string, Spread>;
}

/** The median of some samples and their range. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Records per second of each contender over the same records. Every round runs each contender once, in an
 * order rotated from round to round, so that a busy spell of the machine falls on all of them alike; the
 * ratio to Postbox is taken within each round, then its median and spread over `rounds` (after a warm-up round).
 */
export async function benchPipeline(recordCount = 10_000, rounds = 7): Promise<PipelineFigures> {
  const events = asEvents(orderPlacedRecords(recordCount), 10);
  const all = contenders();
  const samples = new Map<string, number[]>(all.map((c) => [c.name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (let turn = 0; turn < all.length; turn++) {
      const contender = all[(round + turn) % all.length]!;
      const started = performance.now();
      for (const event of events) {
        const response = await contender.run(event);
        if (response.batchItemFailures.length > 0) throw new Error(`${contender.name} failed records it should not have`);
      }
      const seconds = (performance.now() - started) / 1000;
      if (round > 0) samples.get(contender.name)!.push(recordCount / seconds);
    }
  }
  if (sink === 0) throw new Error('no handler ran');
  const ours = samples.get(POSTBOX)!;
  const ratios = Object.fromEntries(
    [...samples].filter(([name]) => name !== POSTBOX).map(([name, values]) => [name, spread(values.map((value, round) => ours[round]! / value))]),
  );
  return { recordsPerSecond: Object.fromEntries([...samples].map(([name, values]) => [name, median(values)])), ratios };
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
