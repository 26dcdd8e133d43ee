import { createHash } from 'node:crypto';
import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { readFailureRecord, type FailureRecord } from '../messages/failure-record.ts';
import { carriesPayloadPointer, LEGACY_PAYLOAD_SIZE_ATTRIBUTE, PAYLOAD_SIZE_ATTRIBUTE, payloadLocation, readPayloadPointer } from '../messages/payload-pointer.ts';
import { MESSAGE_TYPE_ATTRIBUTE } from '../messages/wire-contract.ts';
import { QueueListing } from './queue-listing.ts';

/** A dead-lettered message as an operator reads it. */
export interface DeadLetter {
  readonly messageId: string;
  readonly type: string | undefined;
  /** When it was first published, from its envelope. */
  readonly publishedAt: string | undefined;
  /** When it failed for the last time (Postbox's record, else when the DLQ got it). */
  readonly failedAt: string | undefined;
  /** Attempts it had on its source queue. */
  readonly attempts: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly handler: string | undefined;
  readonly groupId: string | undefined;
  /** Its message id on the source queue, from Postbox's failure record (else its own id). */
  readonly sourceMessageId: string;
  /**
   * Copies of one message share it: the source message id of a whole failure record Postbox wrote, with the
   * body. A producer's own `postbox.*` attributes (which a message the redrive policy moved still carries)
   * never make two different messages copies of each other.
   */
  readonly copyKey: string;
  /** The body's beginning; for a pointer (claim check), where its payload is and its size. */
  readonly excerpt: string;
  /** Where the payload of a pointer is (`s3://bucket/key`); undefined for a message sent whole. */
  readonly payload?: string;
}

/** A dead letter with how many copies of its source message the DLQ holds. */
export interface DeadLetterEntry extends DeadLetter {
  /** Every message id the DLQ holds for this source message, the listed one first. */
  readonly copyIds: readonly string[];
  readonly copies: number;
}

/** Which dead letters a command applies to; every given criterion must hold. */
export interface DeadLetterFilter {
  readonly ids?: readonly string[];
  readonly type?: string;
  /** Text found in the body or the failure reason. */
  readonly text?: string;
  /** Failed at least this long ago. */
  readonly olderThanMs?: number;
}

export function describeDeadLetter(message: Message): DeadLetter {
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const failure = readFailureRecord(stringAttributes(message));
  const body = message.Body ?? '';
  const payload = payloadOf(message);
  let envelope: { type?: unknown; time?: unknown } = {};
  try {
    envelope = JSON.parse(body);
  } catch {
    // Not JSON: it was dead-lettered for that; the excerpt shows it.
  }
  const sentAt = message.Attributes?.SentTimestamp;
  const attempt = failure.attempt ?? message.Attributes?.ApproximateReceiveCount;
  return {
    messageId: message.MessageId!,
    type: attribute(MESSAGE_TYPE_ATTRIBUTE) ?? (typeof envelope?.type === 'string' ? envelope.type : undefined),
    publishedAt: typeof envelope?.time === 'string' ? envelope.time : undefined,
    failedAt: failure.failedAt ?? (sentAt ? new Date(Number(sentAt)).toISOString() : undefined),
    attempts: attempt === undefined ? undefined : Number(attempt),
    errorCode: failure.errorCode,
    errorMessage: failure.errorMessage,
    handler: failure.handler,
    groupId: message.Attributes?.MessageGroupId,
    sourceMessageId: failure.sourceMessageId ?? message.MessageId!,
    copyKey: isWholeRecord(failure) ? `${failure.sourceMessageId}:${createHash('sha256').update(body).digest('base64')}` : message.MessageId!,
    excerpt: payload?.excerpt ?? (body.length > 120 ? `${body.slice(0, 117)}...` : body),
    ...(payload && { payload: payload.location }),
  };
}

/** Where a pointer's payload is, and an excerpt that says so; undefined for a message sent whole, or a body that is no pointer. */
function payloadOf(message: Message): { location: string; excerpt: string } | undefined {
  const attributes = stringAttributes(message);
  if (!carriesPayloadPointer(attributes)) return undefined;
  try {
    const location = payloadLocation(readPayloadPointer(message.MessageId!, message.Body ?? ''));
    const size = attributes[PAYLOAD_SIZE_ATTRIBUTE] ?? attributes[LEGACY_PAYLOAD_SIZE_ATTRIBUTE];
    return { location, excerpt: `(payload${size ? ` of ${size} bytes` : ''} in ${location})` };
  } catch {
    // Dead-lettered as malformed: the excerpt shows the body.
    return undefined;
  }
}

/** Every field Postbox writes: a record it wrote itself, not a producer's stray attribute. */
function isWholeRecord(record: Partial<FailureRecord>): record is FailureRecord {
  return (['errorCode', 'errorMessage', 'handler', 'attempt', 'failedAt', 'sourceMessageId'] as const).every((field) => record[field] !== undefined);
}

function stringAttributes(message: Message): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]));
}

/** One entry per source message, in listing order, counting its copies. */
export function groupCopies(deadLetters: readonly DeadLetter[]): DeadLetterEntry[] {
  const entries = new Map<string, { first: DeadLetter; copyIds: string[] }>();
  for (const deadLetter of deadLetters) {
    const entry = entries.get(deadLetter.copyKey);
    if (entry) entry.copyIds.push(deadLetter.messageId);
    else entries.set(deadLetter.copyKey, { first: deadLetter, copyIds: [deadLetter.messageId] });
  }
  return [...entries.values()].map(({ first, copyIds }) => ({ ...first, copyIds, copies: copyIds.length }));
}

export function matches(deadLetter: DeadLetter, filter: DeadLetterFilter, now = Date.now()): boolean {
  if (filter.ids && filter.ids.length > 0 && !filter.ids.includes(deadLetter.messageId)) return false;
  if (filter.type && deadLetter.type !== filter.type) return false;
  if (filter.text) {
    const haystack = `${deadLetter.excerpt}\n${deadLetter.errorCode ?? ''}\n${deadLetter.errorMessage ?? ''}`;
    if (!haystack.includes(filter.text)) return false;
  }
  if (filter.olderThanMs !== undefined) {
    if (!deadLetter.failedAt || now - Date.parse(deadLetter.failedAt) < filter.olderThanMs) return false;
  }
  return true;
}

/**
 * Receives what a queue holds, up to `max` distinct messages, hiding each for
 * `visibilitySeconds` (renewed while it receives). Give them back with
 * {@link release}; a crash in between only delays them.
 */
export async function browse(sqs: SQSClient, queueUrl: string, max: number, visibilitySeconds = 60): Promise<Message[]> {
  const listing = new QueueListing(sqs, queueUrl, { max, visibilitySeconds });
  const messages: Message[] = [];
  try {
    for await (const message of listing.messages()) messages.push(message);
  } finally {
    await listing.stop();
  }
  return messages;
}

/** Makes messages visible again at once. */
export async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
}
