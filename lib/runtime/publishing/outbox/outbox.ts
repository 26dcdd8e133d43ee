import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { AnyTopology, MessageTypeName } from '../../../messages/message-types.ts';
import type { OutboxEntry, Publisher } from '../publisher.ts';
import type { DynamoDbOutboxStore } from './dynamodb-outbox-store.ts';
import type { OutboxRecord } from './outbox-record.ts';

/**
 * The transactional outbox of a service whose data lives in DynamoDB: a business change and the messages it
 * causes are written in one transaction, and the relay publishes the messages only once it committed.
 *
 * ```ts
 * const outbox = new Outbox(publisher, new DynamoDbOutboxStore({ tableName: 'orders-prod-outbox' }));
 * await outbox.transactWrite(
 *   [{ Put: { TableName: 'orders', Item: order, ConditionExpression: 'attribute_not_exists(orderId)' } }],
 *   [{ type: 'order.placed', data: { orderId }, aggregateKey: orderId }],
 * );
 * ```
 */
export class Outbox<T extends AnyTopology> {
  constructor(
    private readonly publisher: Publisher<T>,
    readonly store: DynamoDbOutboxStore,
  ) {}

  /**
   * Validates and serializes `messages` (BatchValidationError, writing nothing, if any is invalid), then writes them
   * with `items` in one DynamoDB transaction (OutboxTransactionFailedError, with each item's reason, if it was not
   * committed). Returns the records written.
   */
  async transactWrite<K extends MessageTypeName<T>>(items: readonly TransactWriteItem[], messages: ReadonlyArray<OutboxEntry<T, K>>): Promise<OutboxRecord[]> {
    const records = await this.publisher.serialize(messages);
    await this.store.transactWrite(items, records);
    return records;
  }
}
