import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { OrderPlaced } from '../examples/orders/orders-topology.ts';
import { MessageCatalog } from '../lib/messages/message-catalog.ts';
import { decodeIncoming } from '../lib/messages/message-codec.ts';
import { createSqsHandler } from '../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { fromSqsRecord } from '../lib/runtime/consuming/lambda/sqs-record.ts';
import { QueueRuntime } from '../lib/runtime/consuming/queue-runtime.ts';
import { resolveQueueOf } from '../lib/topology/resolve-topology.ts';
import { asEvents, orderPlacedRecords } from './fixtures/sqs-records.ts';
import { median, pipelineOptions, pipelineTopology } from './pipeline-bench.ts';

/** What one record costs at each layer of the pipeline, in ns, and what each layer adds to the one below. */
export interface PipelineLayers {
  readonly cumulativeNs: Record<Layer, number>;
  readonly addedNs: Record<Layer, number>;
}

export type Layer = 'JSON.parse' | 'zod' | 'decode' | 'dispatch' | 'batch';

/** What each layer is, for the bench's output. */
export const LAYER_DESCRIPTIONS: Record<Layer, string> = {
  'JSON.parse': 'JSON.parse of the body',
  zod: "the schema's parse (with JSON.parse: the bare loop)",
  decode: 'record wrapping, type attribute, envelope checks and building (fromSqsRecord + decodeIncoming)',
  dispatch: "clock, handler context, the handler's call, metric, outcome (MessageProcessor.process)",
  batch: "middy, the invocation, the EMF line, the partial batch response (the Lambda handler, batches of 10)",
};

let sink = 0;

/**
 * Where a record's time goes: the pipeline's layers timed cumulatively on the same records, each layer a loop of its
 * own, in interleaved rounds (rotated order), medians. The difference between a layer and the one below is what
 * that layer adds; `batch` less `zod` is what Postbox adds to the bare loop.
 */
export async function benchPipelineLayers(recordCount = 10_000, rounds = 7): Promise<PipelineLayers> {
  const records = orderPlacedRecords(recordCount);
  const events = asEvents(records, 10);
  const topology = pipelineTopology;
  const options = pipelineOptions((data) => void (sink += data.totalCents));
  const resolved = resolveQueueOf(topology, { stage: 'bench', queue: 'notifications' });
  const catalog = new MessageCatalog(resolved);
  const accepted = new Set(resolved.queue!.messageTypes);
  const runtime = new QueueRuntime(topology, options);
  const handler = createSqsHandler(topology, options);
  const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

  const layers: Record<Layer, () => Promise<void> | void> = {
    'JSON.parse': () => forEach(records, (record) => void (sink += JSON.parse(record.body).totalCents)),
    zod: () => forEach(records, (record) => void (sink += OrderPlaced.parse(JSON.parse(record.body)).totalCents)),
    decode: () => forEach(records, (record) => void (sink += (decodeIncoming(fromSqsRecord(record, 0), catalog, accepted).envelope.data as { totalCents: number }).totalCents)),
    dispatch: () => {
      let started = performance.now();
      for (let index = 0; index < records.length; index++) {
        runtime.processor.process(fromSqsRecord(records[index]!, 0), undefined, started);
        started = runtime.processor.finishedAt;
        if (index % 10 === 9) runtime.metrics.flush();
      }
    },
    batch: async () => {
      for (const event of events) await handler(event as SQSEvent, context);
    },
  };
  const names = Object.keys(layers) as Layer[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Layer, number[]>;
  for (let round = 0; round <= rounds; round++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + turn) % names.length]!;
      const started = performance.now();
      await layers[name]();
      if (round > 0) samples[name].push(((performance.now() - started) * 1e6) / recordCount);
    }
  }
  if (sink === 0) throw new Error('no layer ran');
  const cumulativeNs = Object.fromEntries(names.map((name) => [name, median(samples[name])])) as Record<Layer, number>;
  const addedNs = Object.fromEntries(names.map((name, index) => [name, cumulativeNs[name] - (index === 0 ? 0 : cumulativeNs[names[index - 1]!])])) as Record<Layer, number>;
  return { cumulativeNs, addedNs };
}

function forEach(records: readonly SQSRecord[], each: (record: SQSRecord) => void): void {
  for (let index = 0; index < records.length; index++) each(records[index]!);
}
