import { Buffer } from 'node:buffer';
import type { SqsMessageAttribute } from './message-attributes.ts';
import { MalformedMessageError } from './message-errors.ts';

/**
 * The claim check: a message over its destination's limit is stored in S3 and
 * sent as a pointer to it. The pointer is the AWS extended client libraries'
 * (amazon-sqs-java-extended-client-lib, amazon-sns-java-extended-client-lib,
 * amazon-sqs-python-extended-client): a JSON array of the pointer class and the
 * bucket and key, with the payload's size in the `ExtendedPayloadSize` Number
 * attribute, so that their consumers read Postbox's pointers and Postbox reads
 * theirs. Pure: imports nothing from AWS.
 */

/** The class name the extended client libraries write first in a pointer's body. */
export const PAYLOAD_POINTER_CLASS = 'software.amazon.payloadoffloading.PayloadS3Pointer';
/** The Number attribute that marks a pointer and holds the payload's size in bytes. */
export const PAYLOAD_SIZE_ATTRIBUTE = 'ExtendedPayloadSize';
/** What older Java extended clients called it; read, never written. */
export const LEGACY_PAYLOAD_SIZE_ATTRIBUTE = 'SQSLargePayloadSize';

/** Where a message's payload is stored. */
export interface PayloadPointer {
  readonly bucket: string;
  readonly key: string;
}

/** How a serialized message goes to its destination. */
export type DeliveryForm = 'inline' | 'offload' | 'too-large';

/**
 * Inline when it fits its destination; else offloaded to S3 when there is a
 * bucket for it; else too large (refused, as without a bucket before).
 */
export function deliveryForm(sizeBytes: number, limitBytes: number, hasPayloadBucket: boolean): DeliveryForm {
  if (sizeBytes <= limitBytes) return 'inline';
  return hasPayloadBucket ? 'offload' : 'too-large';
}

/**
 * The key of a message's payload: under `prefix` (the prefix the bucket's grants are limited to), then the
 * message id (an operator finds a message's payloads by it), then `unique`, so that publishing an id again never
 * overwrites the payload a message already sent (or dead-lettered) points to.
 */
export function payloadObjectKey(prefix: string, messageId: string, unique: string): string {
  return `${prefix}/${encodeURIComponent(messageId)}/${unique}`;
}

/** The body of a pointer message, byte for byte as the extended client libraries write it. */
export function payloadPointerBody(pointer: PayloadPointer): string {
  return JSON.stringify([PAYLOAD_POINTER_CLASS, { s3BucketName: pointer.bucket, s3Key: pointer.key }]);
}

/** The attribute that marks a pointer message: the payload's size in bytes, as a Number. */
export function payloadSizeAttribute(payload: string): Record<string, SqsMessageAttribute> {
  return payloadSizeAttributeOf(Buffer.byteLength(payload));
}

/** The same attribute, from the payload's size in bytes (what an outbox record keeps of an offloaded message). */
export function payloadSizeAttributeOf(sizeBytes: number): Record<string, SqsMessageAttribute> {
  return { [PAYLOAD_SIZE_ATTRIBUTE]: { DataType: 'Number', StringValue: String(sizeBytes) } };
}

/**
 * Whether a message is a pointer: it carries the size attribute (the extended client libraries decide by it
 * too). Two property reads, so that a message without it pays nothing more (see `npm run bench`).
 */
export function carriesPayloadPointer(attributes: Readonly<Record<string, unknown>>): boolean {
  return attributes[PAYLOAD_SIZE_ATTRIBUTE] !== undefined || attributes[LEGACY_PAYLOAD_SIZE_ATTRIBUTE] !== undefined;
}

/** The attributes less the size attribute: what the message had before it was offloaded. */
export function withoutPayloadSize<V>(attributes: Readonly<Record<string, V>>): Record<string, V> {
  const { [PAYLOAD_SIZE_ATTRIBUTE]: _size, [LEGACY_PAYLOAD_SIZE_ATTRIBUTE]: _legacy, ...rest } = attributes;
  return rest;
}

/**
 * The pointer in the body of a message that carries the size attribute.
 * @throws MalformedMessageError when the body is not a pointer (non-retryable: the message is dead-lettered)
 */
export function readPayloadPointer(messageId: string, body: string): PayloadPointer {
  const malformed = (why: string) =>
    new MalformedMessageError(messageId, `it carries the ${PAYLOAD_SIZE_ATTRIBUTE} attribute of a payload stored in S3, but its body ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw malformed('is not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== PAYLOAD_POINTER_CLASS || typeof parsed[1] !== 'object' || parsed[1] === null) {
    throw malformed(`is not a pointer (["${PAYLOAD_POINTER_CLASS}", { "s3BucketName": ..., "s3Key": ... }])`);
  }
  const { s3BucketName, s3Key } = parsed[1] as { s3BucketName?: unknown; s3Key?: unknown };
  if (typeof s3BucketName !== 'string' || s3BucketName === '' || typeof s3Key !== 'string' || s3Key === '') {
    throw malformed('names no bucket or no key (s3BucketName and s3Key must be non-empty strings)');
  }
  return { bucket: s3BucketName, key: s3Key };
}

/** `s3://bucket/key`, as people and the AWS CLI name an object. */
export function payloadLocation(pointer: PayloadPointer): string {
  return `s3://${pointer.bucket}/${pointer.key}`;
}

/**
 * How long a payload must outlive its message: its longest stay on a main queue and then in its dead-letter
 * queue (a dead-letter copy is a new message, kept for the DLQ's whole retention), plus a day's margin; in
 * whole days, as S3 lifecycle rules count.
 */
export function payloadExpiryDays(queues: ReadonlyArray<{ readonly retentionSeconds: number; readonly deadLetterRetentionSeconds: number }>): number {
  const longest = Math.max(0, ...queues.map((queue) => queue.retentionSeconds + queue.deadLetterRetentionSeconds));
  return Math.ceil(longest / 86_400) + 1;
}

/**
 * Whether a topology's own publishers may send a message at all (it has topics or command queues), and so
 * need a payload bucket. A service that only subscribes to other services' topics reads their buckets.
 */
export function needsPayloadBucket(topology: { readonly topics: readonly unknown[]; readonly queues: ReadonlyArray<{ readonly role: string }> }): boolean {
  return topology.topics.length > 0 || topology.queues.some((queue) => queue.role === 'command');
}
