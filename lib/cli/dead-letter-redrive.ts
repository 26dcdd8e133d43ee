import { randomUUID } from 'node:crypto';
import {
  CancelMessageMoveTaskCommand,
  DeleteMessageCommand,
  ListMessageMoveTasksCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describeError } from '../messages/message-errors.ts';
import { browse, describeDeadLetter, matches, release, type DeadLetterFilter } from './dead-letter-browser.ts';
import type { QueueAddress } from './cli-context.ts';

export interface RedriveSummary {
  readonly method: 'move-task' | 'client-side';
  readonly moved: number;
  readonly failed: number;
  readonly skipped: number;
  /** Ids of the messages moved (client-side only; a move task reports counts). */
  readonly movedIds: readonly string[];
  readonly failures: ReadonlyArray<{ readonly messageId: string; readonly reason: string }>;
}

export type Progress = (done: number, total: number | undefined) => void;

/** The server has no StartMessageMoveTask (moto); the caller moves client-side instead. */
export class MoveTaskUnsupportedError extends Error {}

/**
 * Moves every message of the DLQ back with SQS's own move task, at an
 * optional rate, following its progress until it ends. Aborting the signal
 * (Ctrl-C) cancels the task; what it moved stays moved.
 */
export async function redriveWithMoveTask(
  sqs: SQSClient,
  address: QueueAddress,
  options: { rate?: number; onProgress?: Progress; signal?: AbortSignal; pollMs?: number } = {},
): Promise<RedriveSummary & { status: string }> {
  let taskHandle: string;
  try {
    ({ TaskHandle: taskHandle } = (await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: address.deadLetterArn,
        DestinationArn: address.arn,
        ...(options.rate !== undefined && { MaxNumberOfMessagesPerSecond: options.rate }),
      }),
    )) as { TaskHandle: string });
  } catch (error) {
    if (isUnsupported(error)) throw new MoveTaskUnsupportedError(describeError(error));
    throw error;
  }
  const cancel = () => {
    void sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle })).catch(() => undefined);
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: address.deadLetterArn, MaxResults: 10 }));
      const task = Results.find((result) => result.TaskHandle === taskHandle) ?? Results[0];
      const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
      const toMove = task?.ApproximateNumberOfMessagesToMove;
      options.onProgress?.(moved, toMove === undefined ? undefined : moved + toMove);
      const status = task?.Status ?? 'UNKNOWN';
      if (status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED') {
        const failures = status === 'FAILED' ? [{ messageId: '-', reason: task?.FailureReason ?? 'the move task failed' }] : [];
        return { method: 'move-task', status, moved, failed: status === 'COMPLETED' ? 0 : (toMove ?? 0), skipped: 0, movedIds: [], failures };
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

/**
 * Moves the selected dead letters back to their source queue one by one: each
 * is sent with its body and attributes (less Postbox's failure record; FIFO:
 * its message group and a fresh deduplication id) and only then deleted from
 * the DLQ, so a crash in between duplicates at worst and never loses. The
 * messages not selected are left in the DLQ untouched.
 */
export async function redriveClientSide(
  sqs: SQSClient,
  address: QueueAddress,
  filter: DeadLetterFilter,
  options: { max: number; dryRun?: boolean; onProgress?: Progress },
): Promise<RedriveSummary> {
  // Hidden long enough for the whole move; given back at the end either way.
  const messages = await browse(sqs, address.deadLetterUrl, options.max, 300);
  // Messages asked for by id may be hidden for a moment by another reader (a listing): look again.
  for (let attempt = 0; attempt < 5 && filter.ids && !filter.ids.every((id) => messages.some((m) => m.MessageId === id)); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const seen = new Set(messages.map((message) => message.MessageId));
    messages.push(...(await browse(sqs, address.deadLetterUrl, options.max, 300)).filter((message) => !seen.has(message.MessageId)));
  }
  const selected = messages.filter((message) => matches(describeDeadLetter(message), filter));
  const notMoved: Message[] = messages.filter((message) => !selected.includes(message));
  const movedIds: string[] = [];
  const failures: Array<{ messageId: string; reason: string }> = [];
  try {
    if (options.dryRun) {
      notMoved.push(...selected);
      return { method: 'client-side', moved: 0, failed: 0, skipped: messages.length - selected.length, movedIds: selected.map((m) => m.MessageId!), failures };
    }
    // In order: a FIFO DLQ hands out each group's messages in order, and they go back in that order.
    for (const message of selected) {
      try {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: address.url,
            MessageBody: message.Body!,
            MessageAttributes: originalAttributes(message),
            ...(address.queue.fifo && {
              MessageGroupId: message.Attributes?.MessageGroupId ?? message.MessageId!,
              MessageDeduplicationId: randomUUID(),
            }),
          }),
        );
        await sqs.send(new DeleteMessageCommand({ QueueUrl: address.deadLetterUrl, ReceiptHandle: message.ReceiptHandle! }));
        movedIds.push(message.MessageId!);
      } catch (error) {
        failures.push({ messageId: message.MessageId!, reason: describeError(error) });
        notMoved.push(message);
      }
      options.onProgress?.(movedIds.length + failures.length, selected.length);
    }
  } finally {
    await release(sqs, address.deadLetterUrl, notMoved);
  }
  return { method: 'client-side', moved: movedIds.length, failed: failures.length, skipped: messages.length - selected.length, movedIds, failures };
}

/** The message's own attributes, without the `postbox.*` record of its last failure. */
function originalAttributes(message: Message): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).filter(([name]) => !name.startsWith('postbox.')));
}

function isUnsupported(error: unknown): boolean {
  const { name = '', $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (/InvalidAction|UnknownOperation|UnsupportedOperation|NotImplemented/i.test(name)) return true;
  // moto answers actions it lacks with an HTML error page, which the SDK cannot parse.
  return name === 'SyntaxError' && ($metadata?.httpStatusCode ?? 500) >= 500;
}
