import type { Envelope } from '../../messages/envelope.ts';
import type { EncodedMessage } from '../../messages/message-codec.ts';
import { messageSizeBytes, stringAttributes as typedStringAttributes } from '../../messages/message-attributes.ts';
import { describeError } from '../../messages/message-errors.ts';
import { payloadPointerBody, payloadSizeAttribute, payloadSizeAttributeOf, type PayloadPointer } from '../../messages/payload-pointer.ts';
import { AwsCallError, EndpointUnreachableError, translateAwsError } from '../../aws/aws-errors.ts';
import type { TraceContext } from '../observability/trace-context.ts';
import { DeliveryError, DestinationNotFoundError, DuplicateMessageError } from './publish-errors.ts';

export interface PublishOptions {
  /** Not empty, and not shared with another message of the same batch. @default a new UUID */
  readonly id?: string;
  /** Not empty. @default the message's own id */
  readonly correlationId?: string;
  /** Not empty. @default none */
  readonly causationId?: string;
  /**
   * The message group, 1 to 128 printable ASCII characters, no spaces. On a FIFO destination, messages of one group
   * are delivered in order. On a standard one it names the tenant for SQS fair queues: SQS keeps one tenant's backlog
   * from delaying the others' messages, with no ordering, and a standard topic forwards it to its SQS subscribers only.
   * @default FIFO: the message id (no ordering across messages); standard: none (no fairness)
   */
  readonly groupId?: string;
  /**
   * FIFO destinations only (refused on a standard one); 1 to 128 printable ASCII characters, no spaces; unique within a batch.
   * @default the message id, to a topic with contentBasedDeduplication too: every envelope's body is unique (its
   * id and time), so SNS's hash of it would let a publish of the same id again through
   */
  readonly deduplicationId?: string;
  /**
   * The W3C trace context the message continues, such as a handler's `context.traceContext` for its follow-ups:
   * the message then belongs to that trace. @default the active OpenTelemetry span's, when an SDK is registered;
   * else a new trace
   */
  readonly traceContext?: TraceContext;
  /**
   * Seconds before the message is delivered (standard destinations only, at most a year): a command within 900 s
   * by SQS's own delay; an event, or a command past 900 s, by a one-time EventBridge Scheduler schedule
   * (docs/scheduling.md), which `cancelScheduled(id)` deletes. @default 0
   */
  readonly delaySeconds?: number;
  /** When the message is delivered, as `delaySeconds` from now; not both. @default now */
  readonly at?: Date;
  /**
   * Commands only: the queue URL its handler replies to (the envelope's `replyto`). A `Requester` sets it; a plain
   * `send` asks for no reply. @default none
   */
  readonly replyTo?: string;
}

/** A command's options: the same as an event's. */
export type SendOptions = PublishOptions;

/** SNS's and SQS's most entries in one batch call. */
const MAX_BATCH_ENTRIES = 10;

/** A validated, serialized message and where it goes. */
export interface Prepared {
  readonly index: number;
  readonly envelope: Envelope;
  /** What is sent: the message, or for an offloaded one the pointer to its payload. */
  readonly encoded: EncodedMessage;
  readonly destination: Destination;
  readonly options: SendOptions;
  /** The serialized message and where it is stored, when it is over its destination's limit (claim check). */
  readonly payload?: { readonly pointer: PayloadPointer; readonly body: string };
  /** When a schedule delivers it, for a message scheduled rather than sent now. */
  readonly scheduledAt?: Date;
}

/** The message sent in place of one over its destination's limit: a pointer to its payload, with the message's own attributes. */
export function offloaded(message: Prepared, pointer: PayloadPointer): Prepared {
  const { encoded } = message;
  const body = payloadPointerBody(pointer);
  const sizeBytes = messageSizeBytes(body, { ...typedStringAttributes(encoded.attributes), ...payloadSizeAttribute(encoded.body) });
  return { ...message, encoded: { body, attributes: encoded.attributes, sizeBytes }, payload: { pointer, body: encoded.body } };
}

/**
 * What sending a message needs: its ids, its serialized form, where it goes and its send options. A Prepared
 * message is one; so is a message kept in an outbox, which has no envelope object any more, only its body.
 */
export interface Sendable {
  readonly index: number;
  readonly envelope: Pick<Envelope, 'id' | 'type'>;
  readonly encoded: EncodedMessage;
  readonly destination: Destination;
  readonly options: SendOptions;
  /**
   * For a pointer to a payload in S3 (claim check) kept in an outbox: the payload's size, sent as the
   * ExtendedPayloadSize attribute that marks the body as a pointer.
   */
  readonly payloadSizeBytes?: number;
}

/** A topic or queue of the topology, with its size limits. */
export interface Destination {
  readonly kind: 'topic' | 'queue';
  /** Topic name or queue id in the topology. */
  readonly id: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly maxMessageBytes: number;
  readonly maxBatchBytes: number;
}

export function snsEntry(message: Sendable) {
  return {
    Message: message.encoded.body,
    MessageAttributes: wireAttributes(message),
    ...fifoFields(message),
  };
}

export function sqsEntry(message: Sendable) {
  return {
    MessageBody: message.encoded.body,
    MessageAttributes: wireAttributes(message),
    ...(message.options.delaySeconds !== undefined && { DelaySeconds: message.options.delaySeconds }),
    ...fifoFields(message),
  };
}

/** The message's attributes, and for a pointer the payload's size, as the extended client libraries mark one. */
function wireAttributes(message: Sendable & Pick<Partial<Prepared>, 'payload'>) {
  const pointer = message.payload ? payloadSizeAttribute(message.payload.body) : message.payloadSizeBytes !== undefined && payloadSizeAttributeOf(message.payloadSizeBytes);
  return { ...stringAttributes(message.encoded.attributes), ...pointer };
}

/** FIFO: the group and deduplication ids. Standard: the tenant's group id for fair queues, when given. */
export function fifoFields({ destination, envelope, options }: Sendable): { MessageGroupId?: string; MessageDeduplicationId?: string } {
  if (!destination.fifo) return options.groupId === undefined ? {} : { MessageGroupId: options.groupId };
  return { MessageGroupId: options.groupId ?? envelope.id, MessageDeduplicationId: options.deduplicationId ?? envelope.id };
}

/** SNS's and SQS's rule for MessageGroupId and MessageDeduplicationId: 1 to 128 printable ASCII characters, no spaces. */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * What is wrong with a message's options for its destination: values SNS/SQS
 * would refuse, that consumers would refuse once it was reported sent, or that
 * the destination would silently ignore.
 */
export function optionProblems(destination: Destination, id: string, options: SendOptions): string[] {
  const problems: string[] = [];
  if (id === '') problems.push('id is empty; omit it for a new UUID');
  if (options.correlationId === '') problems.push('correlationId is empty; omit it to start a flow');
  if (options.causationId === '') problems.push('causationId is empty; omit it for none');
  const where = `${destination.kind} ${destination.name}`;
  if (options.replyTo !== undefined && (destination.kind === 'topic' || options.replyTo === '')) {
    problems.push(destination.kind === 'topic' ? `replyTo applies to commands only, and ${where} carries events` : 'replyTo is empty; omit it for no reply');
  }
  for (const field of ['groupId', 'deduplicationId'] as const) {
    const value = options[field];
    if (value === undefined) continue;
    // A standard destination takes a group id (a fair queue's tenant) but deduplicates nothing.
    if (!destination.fifo && field === 'deduplicationId') problems.push(`${field} applies to FIFO destinations only, and ${where} is standard`);
    else if (!FIFO_ID.test(value)) problems.push(`${field} must be 1 to 128 letters, digits or punctuation (no spaces) for ${destination.fifo ? 'FIFO ' : ''}${where}`);
  }
  const idStandsIn = options.groupId === undefined || options.deduplicationId === undefined;
  if (destination.fifo && id !== '' && !FIFO_ID.test(id) && idStandsIn) {
    problems.push(
      `id stands in for the group and deduplication ids, so it must be 1 to 128 letters, digits or punctuation (no spaces) for FIFO ${where}; or pass groupId and deduplicationId`,
    );
  }
  return problems;
}

/**
 * Messages of one batch that repeat an earlier one's envelope id (consumers
 * would take them for one message) or, for a FIFO destination, its
 * deduplication id (the destination would deliver only one, and report both sent).
 */
export function duplicatesIn(messages: readonly Prepared[]): Array<{ index: number; error: DuplicateMessageError }> {
  const byId = new Map<string, number>();
  const byDeduplicationId = new Map<string, number>();
  const duplicates: Array<{ index: number; error: DuplicateMessageError }> = [];
  for (const message of messages) {
    const { envelope, destination, index } = message;
    const sameId = byId.get(envelope.id);
    if (sameId !== undefined) {
      duplicates.push({ index, error: new DuplicateMessageError(envelope.id, envelope.type, `has the same id as message [${sameId}] of this batch; give each message its own id`) });
      continue;
    }
    byId.set(envelope.id, index);
    const deduplicationId = fifoFields(message).MessageDeduplicationId;
    if (deduplicationId === undefined) continue;
    const key = `${destination.kind}:${destination.id}:${deduplicationId}`;
    const sameDeduplicationId = byDeduplicationId.get(key);
    if (sameDeduplicationId === undefined) byDeduplicationId.set(key, index);
    else {
      duplicates.push({
        index,
        error: new DuplicateMessageError(
          envelope.id,
          envelope.type,
          `has the deduplication id '${deduplicationId}' of message [${sameDeduplicationId}]; FIFO ${destination.kind} ${destination.name} would deliver only one of them`,
        ),
      });
    }
  }
  return duplicates;
}

export function stringAttributes(attributes: Readonly<Record<string, string>>) {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}

/** Splits messages into batches of one destination, at most 10 entries and within the destination's batch size. */
export function chunk<M extends Sendable>(messages: M[]): M[][] {
  const open = new Map<string, { batch: M[]; bytes: number }>();
  const batches: M[][] = [];
  for (const message of messages) {
    const key = `${message.destination.kind}:${message.destination.id}`;
    let current = open.get(key);
    if (current && (current.batch.length === MAX_BATCH_ENTRIES || current.bytes + message.encoded.sizeBytes > message.destination.maxBatchBytes)) {
      current = undefined;
    }
    if (!current) {
      current = { batch: [], bytes: 0 };
      open.set(key, current);
      batches.push(current.batch);
    }
    current.batch.push(message);
    current.bytes += message.encoded.sizeBytes;
  }
  return batches;
}

/** Whether a failed call may pass when sent again: the endpoint was unreachable, throttled, or failed on its side. */
export function isTransient(error: unknown): boolean {
  if (error instanceof DestinationNotFoundError) return false;
  const translated = translateAwsError(error);
  return translated instanceof AwsCallError ? translated.retryable : true;
}

/** A failed call as the DeliveryError of one message, saying what to do when the endpoint was not reached. */
export function deliveryErrorOf(message: Sendable, error: unknown): DeliveryError {
  const { destination, envelope } = message;
  const unreachable = translateAwsError(error) instanceof EndpointUnreachableError;
  const reason = error instanceof DestinationNotFoundError ? error.message : unreachable ? `the endpoint could not be reached (${describeError(error)}); is it running?` : describeError(error);
  return new DeliveryError(envelope.id, envelope.type, `${destination.kind} ${destination.name}`, reason, { cause: error });
}
