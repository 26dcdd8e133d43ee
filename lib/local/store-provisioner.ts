import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { needsPayloadBucket } from '../messages/payload-pointer.ts';
import { OperationUnsupportedError, ResourceAlreadyExistsError, translateAwsError } from '../aws/aws-errors.ts';
import { OUTBOX_KEY, OUTBOX_TTL_ATTRIBUTE } from '../runtime/publishing/outbox/outbox-item.ts';
import { idempotencyTableName, jobLockTableName, outboxTableName, payloadBucketName } from '../topology/naming.ts';
import type { ResolvedTopology } from '../topology/resolve-topology.ts';
import { runsInWorker } from '../topology/topology-schema.ts';

/*
 * The data stores of a topology at a local endpoint, as MessagingStack deploys them: the job lock, idempotency and
 * outbox tables (DynamoDB) and the payload bucket (S3). Each may be missing at an endpoint that serves neither
 * (fauxqs alone): the *WhereServed forms say so and let the rest run. Queues and topics are provisioner.ts's.
 */

/**
 * Creates the job lock table of a topology with worker handlers, as the
 * JobLockTable construct does, and returns its name; undefined when the
 * topology has no workers. Safe to run again.
 */
export async function provisionJobLockTable(topology: ResolvedTopology, dynamodb: DynamoDBClient): Promise<string | undefined> {
  if (!topology.queues.some((queue) => runsInWorker(queue.handler))) return undefined;
  return provisionTable(jobLockTableName(topology.prefix), 'jobKey', dynamodb);
}

/**
 * Creates the idempotency table of a topology whose queues declare `idempotency`, as the IdempotencyTable
 * construct does, and returns its name; undefined when none does. Safe to run again.
 */
export async function provisionIdempotencyTable(topology: ResolvedTopology, dynamodb: DynamoDBClient): Promise<string | undefined> {
  if (!topology.queues.some((queue) => queue.idempotency)) return undefined;
  return provisionTable(idempotencyTableName(topology.prefix), 'key', dynamodb);
}

/** An on-demand table with a string partition key and TTL on `expiresAt`; one that exists already is left as it is. */
async function provisionTable(tableName: string, partitionKey: string, dynamodb: DynamoDBClient): Promise<string> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  } catch (error) {
    const translated = translateAwsError(error, { table: tableName });
    if (!(translated instanceof ResourceAlreadyExistsError)) throw translated;
  }
  return tableName;
}

/** The account emulators make their resources in (fauxqs, LocalStack): it names the local payload bucket. */
const EMULATOR_ACCOUNT = '000000000000';

/**
 * Creates the payload bucket of a topology that publishes (topics or commands), as the PayloadBucket construct
 * does, and returns its name; undefined when it publishes nothing. Safe to run again.
 */
export async function provisionPayloadBucket(topology: ResolvedTopology, s3: S3Client): Promise<string | undefined> {
  if (!needsPayloadBucket(topology)) return undefined;
  const region = await s3.config.region();
  const bucket = payloadBucketName(topology.prefix, { account: EMULATOR_ACCOUNT, region });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(region !== 'us-east-1' && { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
  } catch (error) {
    if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
  }
  return bucket;
}

/** {@link provisionPayloadBucket} at an endpoint that may serve no S3 (fauxqs alone): undefined there, after `onNoS3`. */
export async function provisionPayloadBucketWhereServed(topology: ResolvedTopology, s3: S3Client, onNoS3: () => void): Promise<string | undefined> {
  try {
    return await provisionPayloadBucket(topology, s3);
  } catch (error) {
    if (!(translateAwsError(error) instanceof OperationUnsupportedError)) throw error;
    onNoS3();
    return undefined;
  }
}

/**
 * Creates the outbox table of the topology's prefix (`<app>-<stage>-outbox`), as the `OutboxTable` construct makes
 * it less its stream (moto's DynamoDB Streams cannot be read: locally an `OutboxPoller` reads the table). Returns its name.
 */
export async function provisionOutboxTable(topology: Pick<ResolvedTopology, 'prefix'>, dynamodb: DynamoDBClient): Promise<string> {
  const tableName = outboxTableName(topology.prefix);
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: OUTBOX_KEY.partition, AttributeType: 'S' },
          { AttributeName: OUTBOX_KEY.sort, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: OUTBOX_KEY.partition, KeyType: 'HASH' },
          { AttributeName: OUTBOX_KEY.sort, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: OUTBOX_TTL_ATTRIBUTE, Enabled: true } }));
  } catch (error) {
    const translated = translateAwsError(error, { table: tableName });
    if (!(translated instanceof ResourceAlreadyExistsError)) throw translated;
  }
  return tableName;
}

/** The DynamoDB tables of a topology's workers and idempotent queues, each when the topology needs it. */
export interface ProvisionedTables {
  readonly jobLockTable?: string;
  readonly idempotencyTable?: string;
}

/**
 * {@link provisionJobLockTable} and {@link provisionIdempotencyTable} at an endpoint that may serve no DynamoDB
 * (fauxqs alone, moto not installed, answers other services with 501 Not Implemented): neither there, after
 * `onNoDynamoDb`, so that the rest still runs, unique jobs lock within each worker process and idempotency records
 * are kept in memory.
 */
export async function provisionTablesWhereServed(topology: ResolvedTopology, dynamodb: DynamoDBClient, onNoDynamoDb: () => void): Promise<ProvisionedTables> {
  const tables = await whereServed(async () => {
    const idempotencyTable = await provisionIdempotencyTable(topology, dynamodb);
    const jobLockTable = await provisionJobLockTable(topology, dynamodb);
    return { ...(jobLockTable && { jobLockTable }), ...(idempotencyTable && { idempotencyTable }) };
  }, onNoDynamoDb);
  return tables ?? {};
}

/** {@link provisionOutboxTable} at an endpoint that may serve no DynamoDB, as {@link provisionTablesWhereServed}. */
export function provisionOutboxTableWhereServed(topology: ResolvedTopology, dynamodb: DynamoDBClient, onNoDynamoDb: () => void): Promise<string | undefined> {
  return whereServed(() => provisionOutboxTable(topology, dynamodb), onNoDynamoDb);
}

async function whereServed<R>(provision: () => Promise<R | undefined>, onNoDynamoDb: () => void): Promise<R | undefined> {
  try {
    return await provision();
  } catch (error) {
    if (!(translateAwsError(error) instanceof OperationUnsupportedError)) throw error;
    onNoDynamoDb();
    return undefined;
  }
}

