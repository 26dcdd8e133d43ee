import type { AttributeValue, DynamoDBClient, Update } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../../aws/aws-client-config.ts';
import { ConditionFailedError, translateAwsError } from '../../../aws/aws-errors.ts';
import type { ClaimOutcome, IdempotencyClaim, IdempotencyStore, RecordEffect, StoredResult } from './idempotency-store.ts';

export interface DynamoDbIdempotencyStoreOptions {
  /** Table with the string partition key `key` and TTL on `expiresAt`, as the `IdempotencyTable` construct makes it. */
  readonly tableName: string;
  /** @default a client for AWS_ENDPOINT_URL / AWS_REGION */
  readonly dynamodb?: DynamoDBClient;
  /** For tests of leases and lifetimes. @default Date.now */
  readonly now?: () => number;
}

type DynamoDbSdk = typeof import('@aws-sdk/client-dynamodb');

/** TTL sweeps an abandoned claim an hour after its lease; the lease check itself does not wait for TTL. */
const ABANDONED_CLAIM_TTL_SECONDS = 3_600;

/**
 * Idempotency records in DynamoDB, one item per key: a conditional put claims a key (no item, an expired
 * one, or one whose attempt's lease ran out), a conditional update on the claim's token completes it, a
 * conditional delete releases it. Errors are thrown as Postbox's typed AWS errors (`translateAwsError`).
 *
 * The DynamoDB SDK is loaded on the first message, not with the module: a Lambda handler of an idempotent queue
 * starts as fast as one without (see `npm run bench`), as QueueActions does for SQS. (A static import would be
 * hoisted to the top of the bundle by esbuild, and the Lambda runtime would load the SDK at every cold start.)
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  readonly description: string;
  private readonly now: () => number;
  private connection: Promise<{ sdk: DynamoDbSdk; client: DynamoDBClient }> | undefined;

  constructor(private readonly options: DynamoDbIdempotencyStoreOptions) {
    this.description = `DynamoDB table ${options.tableName}`;
    this.now = options.now ?? Date.now;
  }

  /** The SDK and the client, loaded and made once, on first use. */
  private connect(): Promise<{ sdk: DynamoDbSdk; client: DynamoDBClient }> {
    this.connection ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({ sdk, client: this.options.dynamodb ?? new sdk.DynamoDBClient(awsClientConfig()) }));
    return this.connection;
  }

  async claim(key: string, leaseSeconds: number): Promise<ClaimOutcome> {
    const { sdk, client } = await this.connect();
    // A record that disappears between the refused put and the read (released, or swept) is claimed again.
    for (let tries = 1; ; tries++) {
      // The global Web Crypto, not node:crypto: importing that costs every cold start (see `npm run bench`).
      const token = crypto.randomUUID();
      const now = this.now();
      const leaseUntil = now + leaseSeconds * 1000;
      try {
        await client.send(
          new sdk.PutItemCommand({
            TableName: this.options.tableName,
            Item: {
              key: { S: key },
              status: { S: IN_PROGRESS },
              token: { S: token },
              leaseUntil: { N: String(leaseUntil) },
              expiresAt: { N: String(Math.ceil(leaseUntil / 1000) + ABANDONED_CLAIM_TTL_SECONDS) },
            },
            ConditionExpression: 'attribute_not_exists(#key) OR expiresAt < :nowSeconds OR (#status = :inProgress AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#key': 'key', '#status': 'status' },
            ExpressionAttributeValues: {
              ':nowSeconds': { N: String(Math.floor(now / 1000)) },
              ':now': { N: String(now) },
              ':inProgress': { S: IN_PROGRESS },
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { status: 'claimed', claim: { key, token } };
      } catch (error) {
        const translated = translateAwsError(error, { table: this.options.tableName });
        if (!(translated instanceof ConditionFailedError)) throw translated;
        const held = (error as { Item?: Record<string, AttributeValue> }).Item ?? (await this.read(key, sdk, client));
        if (held) return outcomeOf(held);
        if (tries >= 3) throw translated;
      }
    }
  }

  async complete(claim: IdempotencyClaim, result: StoredResult, lifetimeSeconds: number, effects: readonly RecordEffect[] = []): Promise<boolean> {
    const { sdk, client } = await this.connect();
    const update = this.completion(claim, result, lifetimeSeconds, effects.length > 0);
    try {
      if (effects.length === 0) await client.send(new sdk.UpdateItemCommand(update));
      // One transaction: the record completes with the handler's writes, or none of them happens (at most 100 items).
      else await client.send(new sdk.TransactWriteItemsCommand({ TransactItems: [{ Update: update }, ...effects] }));
      return true;
    } catch (error) {
      if (claimLost(error, effects.length > 0)) {
        // A commit tried again after an answer that was lost (a timeout) finds its own record completed: the
        // writes were committed then, and must not be applied a second time.
        if (effects.length > 0 && (await this.completedBy(claim))) return true;
        return false;
      }
      throw translateAwsError(error, { table: this.options.tableName });
    }
  }

  /** Whether the record of `claim` is completed by that very claim (its token). */
  private async completedBy(claim: IdempotencyClaim): Promise<boolean> {
    const { sdk, client } = await this.connect();
    const item = await this.read(claim.key, sdk, client);
    return item?.status?.S === COMPLETED && item.token?.S === claim.token;
  }

  /**
   * Marks the record completed, on the claim's token (a claim taken over after its lease is another attempt's).
   * With writes, only a record still in progress: a completed one has had them committed already.
   */
  private completion(claim: IdempotencyClaim, result: StoredResult, lifetimeSeconds: number, withEffects: boolean): Update & { TableName: string } {
    const expiresAt = Math.ceil(this.now() / 1000) + lifetimeSeconds;
    return {
      TableName: this.options.tableName,
      Key: { key: { S: claim.key } },
      UpdateExpression: `SET #status = :completed, expiresAt = :expiresAt${result === undefined ? '' : ', #result = :result'} REMOVE leaseUntil`,
      ConditionExpression: withEffects ? '#token = :token AND #status = :inProgress' : '#token = :token',
      ExpressionAttributeNames: { '#status': 'status', '#token': 'token', ...(result !== undefined && { '#result': 'result' }) },
      ExpressionAttributeValues: {
        ':completed': { S: COMPLETED },
        ...(withEffects && { ':inProgress': { S: IN_PROGRESS } }),
        ':expiresAt': { N: String(expiresAt) },
        ':token': { S: claim.token },
        ...(result !== undefined && { ':result': { S: result } }),
      },
    };
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(
        new sdk.DeleteItemCommand({
          TableName: this.options.tableName,
          Key: { key: { S: claim.key } },
          // A completed record stays, even this attempt's own: its completion landed though its answer was lost.
          ConditionExpression: '#token = :token AND #status = :inProgress',
          ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
          ExpressionAttributeValues: { ':token': { S: claim.token }, ':inProgress': { S: IN_PROGRESS } },
        }),
      );
    } catch (error) {
      const translated = translateAwsError(error, { table: this.options.tableName });
      // Another attempt holds the key now, or the record is completed: it is not this attempt's to free.
      if (!(translated instanceof ConditionFailedError)) throw translated;
    }
  }

  private async read(key: string, sdk: DynamoDbSdk, client: DynamoDBClient): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const { Item } = await client.send(new sdk.GetItemCommand({ TableName: this.options.tableName, Key: { key: { S: key } }, ConsistentRead: true }));
      return Item;
    } catch (error) {
      throw translateAwsError(error, { table: this.options.tableName });
    }
  }
}

const IN_PROGRESS = 'IN_PROGRESS';
const COMPLETED = 'COMPLETED';

/**
 * The completion's condition failed: another attempt holds the key. In a transaction, only when the record's
 * own update (the first item) was the one cancelled; an effect's failed condition is the handler's failure.
 */
function claimLost(error: unknown, transaction: boolean): boolean {
  const shape = error as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  if (!transaction) return shape.name === 'ConditionalCheckFailedException';
  return shape.name === 'TransactionCanceledException' && shape.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
}

function outcomeOf(item: Record<string, AttributeValue>): ClaimOutcome {
  if (item.status?.S === COMPLETED) return { status: 'completed', result: item.result?.S };
  return { status: 'in-progress', leaseUntil: Number(item.leaseUntil?.N ?? 0) };
}
