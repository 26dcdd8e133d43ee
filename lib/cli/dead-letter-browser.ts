import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { MESSAGE_TYPE_ATTRIBUTE } from '../topology/filter-policy.ts';
import { readFailureRecord } from '../messages/failure-record.ts';
import { CliError, ExitCode } from './cli-error.ts';

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
  readonly excerpt: string;
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
  const failure = readFailureRecord(Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue])));
  const body = message.Body ?? '';
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
    excerpt: body.length > 120 ? `${body.slice(0, 117)}...` : body,
  };
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

/** `90s`, `15m`, `2h`, `7d` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) throw new CliError(`'${text}' is not a duration; write it as 90s, 15m, 2h or 7d`, ExitCode.invalidInput);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/**
 * Receives what a queue holds, up to `max`, hiding each message for
 * `visibilitySeconds` so a long listing does not see one twice. Give them back
 * with {@link release}; a crash in between only delays them.
 */
export async function browse(sqs: SQSClient, queueUrl: string, max: number, visibilitySeconds = 60): Promise<Message[]> {
  const messages: Message[] = [];
  while (messages.length < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max - messages.length),
        WaitTimeSeconds: 1,
        VisibilityTimeout: visibilitySeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    messages.push(...Messages);
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
