import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { OutboxRecord, OutboxSend } from './outbox-record.ts';

/** The outbox table's keys: the aggregate key, and the position that orders its records. */
export const OUTBOX_KEY = { partition: 'aggregateKey', sort: 'position' } as const;
/** The attribute TTL reads: dead letters expire after their retention; pending records never do. */
export const OUTBOX_TTL_ATTRIBUTE = 'expiresAt';
/** The attribute the stream's event filter and the polling relay's scan read. */
export const OUTBOX_STATUS_ATTRIBUTE = 'status';

type Item = Record<string, AttributeValue>;

/** The parts of a send kept as one JSON attribute: the relay reads them back as they were written. */
type StoredSend = Omit<OutboxSend, 'id' | 'type' | 'aggregateKey' | 'position'>;

/**
 * A record as a DynamoDB item: its keys, id, type, status and failure as attributes of their own (for filters and
 * `postbox outbox show`), the serialized send as one JSON string.
 */
export function itemOf(record: OutboxRecord, expiresAtSeconds?: number): Item {
  const { id, type, aggregateKey, position, status, attempts, reason, failedAt, ...send } = record;
  return {
    aggregateKey: { S: aggregateKey },
    position: { S: position },
    id: { S: id },
    type: { S: type },
    status: { S: status },
    attempts: { N: String(attempts) },
    send: { S: JSON.stringify(send satisfies StoredSend) },
    ...(reason !== undefined && { reason: { S: reason } }),
    ...(failedAt !== undefined && { failedAt: { S: failedAt } }),
    ...(expiresAtSeconds !== undefined && { [OUTBOX_TTL_ATTRIBUTE]: { N: String(expiresAtSeconds) } }),
  };
}

/** The record of an item (a table read's, or a stream record's image); undefined if it is not an outbox record. */
export function recordOf(item: Item | undefined): OutboxRecord | undefined {
  const text = (name: string) => item?.[name]?.S;
  const [aggregateKey, position, id, type, status, send] = ['aggregateKey', 'position', 'id', 'type', 'status', 'send'].map(text);
  if (!aggregateKey || !position || !id || !type || !send || (status !== 'pending' && status !== 'dead-lettered')) return undefined;
  let stored: StoredSend;
  try {
    stored = JSON.parse(send) as StoredSend;
  } catch {
    return undefined;
  }
  const reason = text('reason');
  const failedAt = text('failedAt');
  return {
    ...stored,
    id,
    type,
    aggregateKey,
    position,
    status,
    attempts: Number(item?.attempts?.N ?? 0),
    ...(reason !== undefined && { reason }),
    ...(failedAt !== undefined && { failedAt }),
  };
}

export function keyOf(record: Pick<OutboxRecord, 'aggregateKey' | 'position'>): Item {
  return { aggregateKey: { S: record.aggregateKey }, position: { S: record.position } };
}
