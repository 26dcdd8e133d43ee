import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { OrderPlaced, ordersTopology } from '../examples/orders/orders-topology.ts';
import { startEmbeddedEmulator } from '../lib/local/embedded-emulator.ts';
import { provisionIdempotencyTable } from '../lib/local/store-provisioner.ts';
import { DynamoDbIdempotencyStore } from '../lib/runtime/consuming/idempotency/dynamodb-idempotency-store.ts';
import { createSqsHandler } from '../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../lib/runtime/observability/logger.ts';
import { resolveTopology } from '../lib/topology/resolve-topology.ts';
import { asEvents, orderPlacedRecords } from './fixtures/sqs-records.ts';
import { median } from './spread.ts';

type Contender = { name: string; run: (event: SQSEvent) => Promise<SQSBatchResponse> };

const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const noop = () => undefined;
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
let sink = 0;
const handle = (data: { totalCents: number }) => {
  sink += data.totalCents;
  return { charged: data.totalCents };
};

export interface IdempotencyFigures {
  /** Records per second handled for the first time: a record claimed, the handler run, the record completed. */
  readonly firstDelivery: Record<string, number>;
  /** Records per second of the same records delivered again: each acknowledged from its record, unrun. */
  readonly redelivery: Record<string, number>;
}

/**
 * Idempotent handling of the same records, with the same handler (zod validation, a result to store) and
 * the same store (DynamoDB on the embedded emulator, each in its own table): Postbox's idempotent queue
 * against Powertools' BatchProcessor with its idempotency utility (`makeIdempotent` around the record
 * handler, keyed by the SQS message id as Postbox keys a plain message). Rounds interleaved, median.
 */
export async function benchIdempotency(recordCount = 500, rounds = 3): Promise<IdempotencyFigures> {
  const emulator = await startEmbeddedEmulator('fauxqs');
  try {
    const dynamodb = new DynamoDBClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
    const topology = resolveTopology(ordersTopology, { stage: 'bench' });
    const postboxTable = (await provisionIdempotencyTable(topology, dynamodb))!;
    const powertoolsTable = 'bench-powertools-idempotency';
    await dynamodb.send(
      new CreateTableCommand({
        TableName: powertoolsTable,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const postbox = createSqsHandler(ordersTopology, {
      stage: 'bench',
      queue: 'notifications',
      handlers: { 'order.placed': ({ data }) => handle(data), 'order.cancelled': noop },
      // Every record succeeds, so the client is never called.
      sqs: new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials }),
      idempotencyStore: new DynamoDbIdempotencyStore({ tableName: postboxTable, dynamodb }),
      logger: createLogger({}, { write: noop }),
      writeMetrics: noop,
    });
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'messageId' });
    const persistenceStore = new DynamoDBPersistenceLayer({ tableName: powertoolsTable, awsSdkV3Client: dynamodb });
    const idempotentRecord = makeIdempotent(async (record: SQSRecord) => handle(OrderPlaced.parse(JSON.parse(record.body))), {
      persistenceStore,
      config,
      dataIndexArgument: 0,
    });
    const processor = new BatchProcessor(EventType.SQS);
    const contenders: Contender[] = [
      { name: 'Postbox idempotent queue', run: async (event) => (await postbox(event, context)) as SQSBatchResponse },
      {
        name: 'Powertools BatchProcessor + makeIdempotent',
        run: (event) => {
          config.registerLambdaContext(context);
          return processPartialResponse(event, idempotentRecord, processor, { context });
        },
      },
    ];
    const first = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    const again = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    const time = async (contender: Contender, events: SQSEvent[]) => {
      const started = performance.now();
      for (const event of events) {
        const response = await contender.run(event);
        if (response.batchItemFailures.length > 0) throw new Error(`${contender.name} failed records it should not have`);
      }
      return recordCount / ((performance.now() - started) / 1000);
    };
    for (let round = 0; round <= rounds; round++) {
      for (const contender of contenders) {
        // Fresh message ids each round and contender: a first delivery claims a record of its own.
        const events = asEvents(withIds(orderPlacedRecords(recordCount), `${round}-${contender.name.length}`), 10);
        const firstRate = await time(contender, events);
        const againRate = await time(contender, events);
        if (round > 0) {
          first.get(contender.name)!.push(firstRate);
          again.get(contender.name)!.push(againRate);
        }
      }
    }
    if (sink === 0) throw new Error('no handler ran');
    const medians = (samples: Map<string, number[]>) => Object.fromEntries([...samples].map(([name, values]) => [name, median(values)]));
    return { firstDelivery: medians(first), redelivery: medians(again) };
  } finally {
    await emulator.stop();
  }
}

function withIds(records: SQSRecord[], round: string): SQSRecord[] {
  return records.map((record) => ({ ...record, messageId: `${round}-${record.messageId}` }));
}
