import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbOutboxStore } from '../../lib/runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { OutboxConfigurationError } from '../../lib/runtime/publishing/outbox/outbox-errors.ts';

describe('DynamoDbOutboxStore made without a table name', () => {
  const saved = process.env.POSTBOX_OUTBOX_TABLE;
  afterEach(() => {
    if (saved === undefined) delete process.env.POSTBOX_OUTBOX_TABLE;
    else process.env.POSTBOX_OUTBOX_TABLE = saved;
  });

  it('takes the table MessagingStack names in POSTBOX_OUTBOX_TABLE', () => {
    process.env.POSTBOX_OUTBOX_TABLE = 'orders-prod-outbox';
    expect(new DynamoDbOutboxStore().tableName).toBe('orders-prod-outbox');
  });

  it('refuses to be made without one, saying where it comes from', () => {
    delete process.env.POSTBOX_OUTBOX_TABLE;
    expect(() => new DynamoDbOutboxStore()).toThrowError(OutboxConfigurationError);
    expect(() => new DynamoDbOutboxStore()).toThrowError(/pass tableName, or set POSTBOX_OUTBOX_TABLE/);
  });
});
