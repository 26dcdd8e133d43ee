import { randomUUID } from 'node:crypto';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { DEPLOYED_ENVIRONMENT } from '../../../messages/wire-contract.ts';
import pLimit from 'p-limit';
import { awsClientConfig } from '../../../aws/aws-client-config.ts';
import { describeSdkError, translateAwsError } from '../../../aws/aws-errors.ts';
import {
  OutboxConfigurationError,
  OutboxStoreUnavailableError,
  OutboxTableNotFoundError,
  OutboxTransactionFailedError,
  OutboxWriteInvalidError,
} from './outbox-errors.ts';
import { itemOf, keyOf, OUTBOX_KEY, recordOf } from './outbox-item.ts';
import type { OutboxRecord, OutboxStatus } from './outbox-record.ts';
import type { OutboxStore } from './outbox-store.ts';

/** DynamoDB's most items in one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface DynamoDbOutboxStoreOptions {
  /**
   * The table the `OutboxTable` construct (or `provisionOutboxTable`) made: `<app>-<stage>-outbox`.
   * @default POSTBOX_OUTBOX_TABLE, which MessagingStack (with `outbox`) sets on every function and worker task, and
   * `postbox dev` on the Lambda handlers it loads
   */
  readonly tableName?: string;
  /** @default a client for AWS_ENDPOINT_URL / AWS_REGION */
  readonly dynamodb?: DynamoDBClient;
  /** How long a dead letter is kept before TTL removes it. @default 14 days, as the longest an SQS DLQ keeps one */
  readonly deadLetterRetentionSeconds?: number;
}

/**
 * The outbox in a DynamoDB table: `transactWrite` writes the records with the caller's own items in one
 * transaction; the relay deletes a record once sent, or keeps it as a dead letter with its reason.
 */
export class DynamoDbOutboxStore implements OutboxStore {
  readonly tableName: string;
  private readonly dynamodb: DynamoDBClient;
  private readonly retentionSeconds: number;
  private readonly limit = pLimit(8);

  constructor(options: DynamoDbOutboxStoreOptions = {}) {
    const tableName = options.tableName ?? process.env[DEPLOYED_ENVIRONMENT.outboxTable];
    if (!tableName) {
      throw new OutboxConfigurationError(
        `DynamoDbOutboxStore needs its table: pass tableName, or set ${DEPLOYED_ENVIRONMENT.outboxTable} (MessagingStack does on its functions and tasks when the config has outbox: true).`,
      );
    }
    this.tableName = tableName;
    this.dynamodb = options.dynamodb ?? new DynamoDBClient(awsClientConfig());
    this.retentionSeconds = options.deadLetterRetentionSeconds ?? 14 * 24 * 3600;
  }

  /**
   * Writes `items` (the business change, in the SDK's TransactWriteItem form) and the pending `records` in one
   * transaction: all of them, or none. Throws OutboxTransactionFailedError, with each item's reason, if it was not
   * committed.
   */
  async transactWrite(items: readonly TransactWriteItem[], records: readonly OutboxRecord[]): Promise<void> {
    const total = items.length + records.length;
    if (total > MAX_TRANSACTION_ITEMS) {
      throw new OutboxWriteInvalidError(`${items.length} item(s) and ${records.length} message(s) make ${total}, and a DynamoDB transaction holds at most ${MAX_TRANSACTION_ITEMS}; split the change`);
    }
    const puts: TransactWriteItem[] = records.map((record) => ({
      Put: { TableName: this.tableName, Item: itemOf(record), ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#id': OUTBOX_KEY.partition } },
    }));
    try {
      // The token makes the SDK's own retries of this call one transaction, not two.
      await this.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [...items, ...puts], ClientRequestToken: randomUUID() }));
    } catch (error) {
      throw this.transactionError(error, items.length);
    }
  }

  async pending(max: number): Promise<OutboxRecord[]> {
    return (await this.scan('pending', max)).sort(byPosition);
  }

  async deadLetters(options: { readonly ids?: readonly string[]; readonly max?: number } = {}): Promise<OutboxRecord[]> {
    const wanted = options.ids && new Set(options.ids);
    const found = await this.scan('dead-lettered', wanted ? Infinity : (options.max ?? Infinity));
    return found
      .filter((record) => !wanted || wanted.has(record.id))
      .sort(byPosition)
      .slice(0, options.max ?? Infinity);
  }

  async deadLetter(records: readonly OutboxRecord[]): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + this.retentionSeconds;
    await this.each(records, 'keep dead letters', (record) => this.dynamodb.send(new PutItemCommand({ TableName: this.tableName, Item: itemOf(record, expiresAt) })));
  }

  async stillPending(records: readonly OutboxRecord[]): Promise<OutboxRecord[]> {
    const pending = new Set<string>();
    const identity = (item: Record<string, AttributeValue>) => `${item.aggregateKey?.S}\u0000${item.position?.S}`;
    try {
      for (let start = 0; start < records.length; start += BATCH_GET_KEYS) {
        let keys: Array<Record<string, AttributeValue>> | undefined = records.slice(start, start + BATCH_GET_KEYS).map(keyOf);
        for (let attempt = 1; keys && keys.length > 0; attempt++) {
          const page: BatchGetItemCommandOutput = await this.dynamodb.send(
            new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'aggregateKey, #position, #status', ExpressionAttributeNames: { '#position': 'position', '#status': 'status' } } } }),
          );
          for (const item of page.Responses?.[this.tableName] ?? []) if (item.status?.S === 'pending') pending.add(identity(item));
          keys = page.UnprocessedKeys?.[this.tableName]?.Keys;
          // DynamoDB hands back what it could not read at once (throughput): asked again after a pause.
          if (keys && keys.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        }
      }
    } catch (error) {
      throw new OutboxStoreUnavailableError(`outbox table ${this.tableName}`, 'read which records are still pending', translateAwsError(error, { table: this.tableName }));
    }
    return records.filter((record) => pending.has(identity(keyOf(record))));
  }

  async markSent(records: readonly OutboxRecord[]): Promise<void> {
    await this.each(records, 'delete sent records', (record) => this.dynamodb.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(record) })));
  }

  private async each(records: readonly OutboxRecord[], action: string, write: (record: OutboxRecord) => Promise<unknown>): Promise<void> {
    try {
      await Promise.all(records.map((record) => this.limit(() => write(record))));
    } catch (error) {
      throw new OutboxStoreUnavailableError(`outbox table ${this.tableName}`, action, translateAwsError(error, { table: this.tableName }));
    }
  }

  private async scan(status: OutboxStatus, max: number): Promise<OutboxRecord[]> {
    const records: OutboxRecord[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    try {
      do {
        const page = await this.dynamodb.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': { S: status } },
            ...(ExclusiveStartKey && { ExclusiveStartKey }),
          }),
        );
        for (const item of page.Items ?? []) {
          const record = recordOf(item);
          if (record) records.push(record);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey && records.length < max);
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') throw new OutboxTableNotFoundError(this.tableName, { cause: error });
      throw new OutboxStoreUnavailableError(`outbox table ${this.tableName}`, `read the ${status} records`, translateAwsError(error, { table: this.tableName }));
    }
    return records;
  }

  private transactionError(error: unknown, businessItems: number): Error {
    const { name, CancellationReasons } = (error ?? {}) as { name?: string; CancellationReasons?: Array<{ Code?: string; Message?: string }> };
    if (name !== 'TransactionCanceledException') {
      const translated = translateAwsError(error, { table: this.tableName });
      return new OutboxTransactionFailedError(
        this.tableName,
        [],
        `${translated.message}. If the call timed out it may still have committed: look for the business change before writing it again`,
        { cause: translated },
      );
    }
    const reasons = (CancellationReasons ?? []).map((reason) => (reason.Code && reason.Code !== 'None' ? `${reason.Code}${reason.Message ? ` (${reason.Message})` : ''}` : 'None'));
    const described = reasons.flatMap((reason, index) =>
      reason === 'None' ? [] : [`${index < businessItems ? `item [${index}]` : `message [${index - businessItems}]`}: ${reason}`],
    );
    return new OutboxTransactionFailedError(this.tableName, reasons, described.length > 0 ? described.join('; ') : describeSdkError(error), { cause: error });
  }
}

/** BatchGetItem's most keys a call. */
const BATCH_GET_KEYS = 100;

function byPosition(a: OutboxRecord, b: OutboxRecord): number {
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}
