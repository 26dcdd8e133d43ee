import type { Envelope } from '../messages/envelope.ts';
import type { EncodedMessage } from '../messages/message-codec.ts';
import type { SendOptions } from './publisher.ts';
import { DestinationNotFoundError } from './publish-errors.ts';

/** SNS's and SQS's most entries in one batch call. */
const MAX_BATCH_ENTRIES = 10;

/** A validated, serialized message and where it goes. */
export interface Prepared {
  readonly index: number;
  readonly envelope: Envelope;
  readonly encoded: EncodedMessage;
  readonly destination: Destination;
  readonly options: SendOptions;
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

export function snsEntry(message: Prepared) {
  return {
    Message: message.encoded.body,
    MessageAttributes: stringAttributes(message.encoded.attributes),
    ...fifoFields(message),
  };
}

export function sqsEntry(message: Prepared) {
  return {
    MessageBody: message.encoded.body,
    MessageAttributes: stringAttributes(message.encoded.attributes),
    ...(message.options.delaySeconds !== undefined && { DelaySeconds: message.options.delaySeconds }),
    ...fifoFields(message),
  };
}

export function fifoFields({ destination, envelope, options }: Prepared) {
  if (!destination.fifo) return {};
  return { MessageGroupId: options.groupId ?? envelope.id, MessageDeduplicationId: options.deduplicationId ?? envelope.id };
}

export function stringAttributes(attributes: Readonly<Record<string, string>>) {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}

/** Splits messages into batches of one destination, at most 10 entries and within the destination's batch size. */
export function chunk(messages: Prepared[]): Prepared[][] {
  const open = new Map<string, { batch: Prepared[]; bytes: number }>();
  const batches: Prepared[][] = [];
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

export function isTransient(error: unknown): boolean {
  const candidate = error as { $fault?: string; $retryable?: unknown; name?: string };
  if (error instanceof DestinationNotFoundError) return false;
  if (candidate.$retryable || isConnectionError(error)) return true;
  return candidate.$fault !== 'client' || /Throttl/i.test(candidate.name ?? '');
}

export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'ETIMEDOUT';
}
