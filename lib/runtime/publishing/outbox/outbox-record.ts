import { Buffer } from 'node:buffer';
import type { Destination, Prepared, Sendable } from '../publish-requests.ts';

/**
 * A message kept to be sent later, fully serialized: where it goes (topic or queue, by id and physical name), its
 * body and message attributes as they will be sent, its FIFO and delay options, and its envelope's id and type. A
 * relay sends it as it is, with no topology and no schemas.
 */
export interface OutboxSend {
  /** The envelope id: the id consumers see, and the record's id in the outbox. */
  readonly id: string;
  readonly type: string;
  /**
   * Messages of one aggregate key are sent in the order they were written, each only once the one before it was
   * sent or dead-lettered. @default the message's own id (no order with other messages)
   */
  readonly aggregateKey: string;
  /** Sorts the records of one aggregate key in writing order (`<ISO time>#<index in its write>#<id>`). */
  readonly position: string;
  readonly destination: Destination;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sizeBytes: number;
  /**
   * Set when the message was over its destination's limit: `body` is then the pointer to its payload in the payload
   * bucket (stored before the record was written), and this the payload's size, sent as ExtendedPayloadSize.
   */
  readonly payloadSizeBytes?: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly delaySeconds?: number;
  /** When it was written (ISO 8601). */
  readonly createdAt: string;
}

export type OutboxStatus = 'pending' | 'dead-lettered';

/** An outbox record: a send, whether it waits for the relay or was set aside, and why. */
export interface OutboxRecord extends OutboxSend {
  readonly status: OutboxStatus;
  /** Send attempts so far (0 while pending for the first time). */
  readonly attempts: number;
  /** Why the last attempt failed, for a dead-lettered record. */
  readonly reason?: string;
  /** When it was dead-lettered (ISO 8601). */
  readonly failedAt?: string;
}

/** The pending outbox record of a validated, serialized message. */
export function outboxRecordOf(message: Prepared, aggregateKey: string | undefined, writtenAt: Date, index: number): OutboxRecord {
  const { envelope, encoded, destination, options } = message;
  const createdAt = writtenAt.toISOString();
  return {
    id: envelope.id,
    type: envelope.type,
    aggregateKey: aggregateKey ?? envelope.id,
    position: `${createdAt}#${String(index).padStart(4, '0')}#${envelope.id}`,
    destination,
    body: encoded.body,
    attributes: encoded.attributes,
    sizeBytes: encoded.sizeBytes,
    ...(message.payload && { payloadSizeBytes: Buffer.byteLength(message.payload.body) }),
    ...(options.groupId !== undefined && { groupId: options.groupId }),
    ...(options.deduplicationId !== undefined && { deduplicationId: options.deduplicationId }),
    ...(options.delaySeconds !== undefined && { delaySeconds: options.delaySeconds }),
    createdAt,
    status: 'pending',
    attempts: 0,
  };
}

/** The record as the batch sender takes it. */
export function sendableOf(record: OutboxSend, index: number): Sendable {
  return {
    index,
    envelope: { id: record.id, type: record.type },
    encoded: { body: record.body, attributes: record.attributes, sizeBytes: record.sizeBytes },
    destination: record.destination,
    ...(record.payloadSizeBytes !== undefined && { payloadSizeBytes: record.payloadSizeBytes }),
    options: {
      ...(record.groupId !== undefined && { groupId: record.groupId }),
      ...(record.deduplicationId !== undefined && { deduplicationId: record.deduplicationId }),
      ...(record.delaySeconds !== undefined && { delaySeconds: record.delaySeconds }),
    },
  };
}

/** The record set aside after `attempts` more failed sends, for `reason`. */
export function deadLettered(record: OutboxRecord, reason: string, attempts: number, at: Date): OutboxRecord {
  return { ...record, status: 'dead-lettered', attempts: record.attempts + attempts, reason, failedAt: at.toISOString() };
}
