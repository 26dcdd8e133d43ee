import { randomUUID } from 'node:crypto';
import {
  CancelMessageMoveTaskCommand,
  DeleteMessageCommand,
  ListMessageMoveTasksCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { restoreProducerAttributes } from '../messages/dead-letter-copy.ts';
import { withDataTypes } from '../messages/message-attributes.ts';
import { describeError } from '../messages/message-errors.ts';
import { OperationUnsupportedError, translateAwsError } from '../aws/aws-errors.ts';
import { describeDeadLetter, matches, type DeadLetterFilter } from './dead-letter-browser.ts';
import { queueCounts, QueueListing } from './queue-listing.ts';
import { requeueAtGroupTail } from './requeue-at-group-tail.ts';
import type { QueueAddress } from './queue-directory.ts';

export interface RedriveSummary {
  readonly method: 'move-task' | 'client-side';
  /** Distinct source messages moved back. */
  readonly moved: number;
  readonly failed: number;
  /** Messages looked at and not selected by the filter; they stay in the DLQ. */
  readonly skipped: number;
  /** Extra copies of a source message already moved in this run: deleted, not moved again. */
  readonly duplicates: number;
  /** Messages this run moved that failed again and came back to the DLQ while it ran: left there, for the next run. */
  readonly returned: number;
  /** Messages the DLQ still holds after the run (visible or in flight), as SQS counts them. */
  readonly left: number;
  /** The run stopped at its `max` messages: the DLQ may hold more. */
  readonly maxReached: boolean;
  /** Ids asked for with `--id` that the DLQ did not hand out. */
  readonly notFound: readonly string[];
  /** Ids of the messages moved (client-side only; a move task reports counts). */
  readonly movedIds: readonly string[];
  readonly failures: ReadonlyArray<{ readonly messageId: string; readonly reason: string }>;
}

export type Progress = (done: number, total: number | undefined) => void;

/** The server has no StartMessageMoveTask (moto); the caller moves client-side instead. */
export class MoveTaskUnsupportedError extends Error {}

/**
 * Moves the messages the DLQ holds at its start back with SQS's own move
 * task, at an optional rate, following its progress until it ends. A move
 * task moves whatever reaches the DLQ while it runs, so messages a failing
 * consumer sends back would go round for ever: once the task has moved as
 * many as the DLQ held at its start, it is cancelled, and what came back is
 * reported as returned and left there, as the client-side redrive does.
 * Aborting the signal (Ctrl-C) cancels the task; what it moved stays moved.
 */
export async function redriveWithMoveTask(
  sqs: SQSClient,
  address: QueueAddress,
  options: { rate?: number; onProgress?: Progress; signal?: AbortSignal; pollMs?: number } = {},
): Promise<RedriveSummary & { status: string; heldAtStart: number }> {
  const atStart = await queueCounts(sqs, address.deadLetterUrl);
  const heldAtStart = atStart.visible + atStart.inFlight;
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
    // moto answers actions it lacks with an HTML error page, which the SDK cannot parse (a SyntaxError of a 5xx).
    const htmlAnswer = (error as Error).name === 'SyntaxError' && ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 500) >= 500;
    if (htmlAnswer || translateAwsError(error) instanceof OperationUnsupportedError) throw new MoveTaskUnsupportedError(describeError(error));
    throw error;
  }
  let cancelled = false;
  let movedWhatItHeld = false;
  let lastMoved = 0;
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    // It may have ended in between: then there is nothing to cancel.
    void sqs
      .send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle }))
      .then(({ ApproximateNumberOfMessagesMoved }) => (lastMoved = Math.max(lastMoved, ApproximateNumberOfMessagesMoved ?? 0)))
      .catch(() => undefined);
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: address.deadLetterArn, MaxResults: 10 }));
      // The list holds the source's recent tasks, other runs' included: only ours says how this run goes.
      const task = Results.find((result) => result.TaskHandle === taskHandle);
      const taskMoved = Math.max(lastMoved, task?.ApproximateNumberOfMessagesMoved ?? 0);
      lastMoved = taskMoved;
      const toMove = task?.ApproximateNumberOfMessagesToMove;
      options.onProgress?.(Math.min(taskMoved, heldAtStart), heldAtStart);
      // ElasticMQ lists a cancelled task no more: once cancelled, gone is cancelled.
      const status = task?.Status ?? (cancelled ? 'CANCELLED' : 'UNKNOWN');
      if (status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED') {
        const failures = status === 'FAILED' ? [{ messageId: '-', reason: task?.FailureReason ?? 'the move task failed' }] : [];
        // Cancelled by Ctrl-C (or another reader) before it moved what the DLQ held: the rest was not moved.
        const failed = status === 'COMPLETED' || movedWhatItHeld ? 0 : (toMove ?? 0);
        // Counted by the DLQ at both ends: what it holds beyond what was never moved came back while the task ran.
        const moved = Math.min(taskMoved, heldAtStart);
        const after = await queueCounts(sqs, address.deadLetterUrl);
        const left = after.visible + after.inFlight;
        const returned = Math.max(0, left - (heldAtStart - moved));
        return { method: 'move-task', status, heldAtStart, moved, failed, skipped: 0, duplicates: 0, returned, left, maxReached: false, notFound: [], movedIds: [], failures };
      }
      if (taskMoved >= heldAtStart) {
        movedWhatItHeld = true;
        cancel();
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

/**
 * Deletes every copy but one of each message the DLQ holds more than once (a
 * dead-letter send whose delete failed, retried), so that a move task, which
 * moves whatever is there, moves each message once. One listing of the DLQ;
 * what stays is given back at its end.
 */
export async function deleteDuplicateCopies(
  sqs: SQSClient,
  address: QueueAddress,
  max: number,
): Promise<{ duplicates: number; failures: Array<{ messageId: string; reason: string }> }> {
  const listing = new QueueListing(sqs, address.deadLetterUrl, { max });
  const kept = new Set<string>();
  const failures: Array<{ messageId: string; reason: string }> = [];
  let duplicates = 0;
  try {
    for await (const message of listing.messages()) {
      const { copyKey } = describeDeadLetter(message);
      if (!kept.has(copyKey)) {
        kept.add(copyKey);
        continue;
      }
      duplicates++;
      await deleteCopy(sqs, address, message, listing, failures);
    }
  } finally {
    await listing.close();
  }
  return { duplicates, failures };
}

/**
 * Moves the selected dead letters back to their source queue one by one, as
 * they are received: each is sent with its body and attributes (less Postbox's
 * failure record; its message group, which on a standard queue is a fair
 * queue's tenant; FIFO: a fresh deduplication id) and only then deleted from
 * the DLQ, so a crash in between duplicates at worst and never loses. A
 * further copy of a source message already moved in this run is deleted, not
 * moved again. Moving as it receives lets a FIFO DLQ hand out
 * each group's next messages, in order. What is not selected is left in the
 * DLQ, hidden during the run and given back at its end — except on a FIFO DLQ,
 * where holding a message would hide the rest of its group: there each group is
 * walked whole and what is not selected goes back to the tail of its group
 * (see `requeueAtGroupTail`), so a selected message anywhere in a group is reached.
 */
export async function redriveClientSide(
  sqs: SQSClient,
  address: QueueAddress,
  filter: DeadLetterFilter,
  options: { max: number; dryRun?: boolean; onProgress?: Progress },
): Promise<RedriveSummary> {
  // A FIFO DLQ hands out a group's next message only after the one before it is gone: a selective run walks each group whole.
  const walk = address.queue.fifo === true && !options.dryRun && Object.keys(filter).length > 0;
  // Stopping part-way through a group would leave what it requeued behind what it did not reach: a walk is not bounded by max.
  const listing = new QueueListing(sqs, address.deadLetterUrl, { max: walk ? Number.POSITIVE_INFINITY : options.max });
  // Copies this run put back at the tail of their group: reaching one means its group was walked whole; it is held to the end.
  const requeued = new Set<string>();
  const moved = new Set<string>();
  const movedIds: string[] = [];
  const seenIds = new Set<string>();
  const failures: Array<{ messageId: string; reason: string }> = [];
  // What this run sent back: a message that fails again returns under that id (redrive policy) or with it as its source.
  const sentIds = new Set<string>();
  let skipped = 0;
  let duplicates = 0;
  // The dead letters of messages this run moved that failed again: left in the DLQ, for the next run.
  const returned = new Set<string>();
  try {
    for await (const message of listing.messages()) {
      if (requeued.has(message.MessageId!)) continue;
      const deadLetter = describeDeadLetter(message);
      if (sentIds.has(deadLetter.messageId) || sentIds.has(deadLetter.sourceMessageId)) {
        // Moving it again would go round for as long as its consumer runs.
        returned.add(deadLetter.messageId);
        continue;
      }
      seenIds.add(deadLetter.messageId);
      if (!matches(deadLetter, filter)) {
        skipped++;
        if (walk) await requeueAtGroupTail(sqs, address, message, listing, requeued, failures);
        continue;
      }
      if (moved.has(deadLetter.copyKey)) {
        duplicates++;
        if (!options.dryRun) await deleteCopy(sqs, address, message, listing, failures);
        continue;
      }
      if (options.dryRun) {
        moved.add(deadLetter.copyKey);
        movedIds.push(deadLetter.messageId);
        continue;
      }
      let sentId: string | undefined;
      try {
        ({ MessageId: sentId } = await sqs.send(
          new SendMessageCommand({
            QueueUrl: address.url,
            MessageBody: message.Body!,
            MessageAttributes: withDataTypes(restoreProducerAttributes(message.MessageAttributes ?? {})),
            ...(address.queue.fifo
              ? { MessageGroupId: message.Attributes?.MessageGroupId ?? message.MessageId!, MessageDeduplicationId: randomUUID() }
              : message.Attributes?.MessageGroupId !== undefined && { MessageGroupId: message.Attributes.MessageGroupId }),
          }),
        ));
      } catch (error) {
        failures.push({ messageId: deadLetter.messageId, reason: describeError(error) });
        continue;
      }
      // Sent: further copies of it are duplicates, even if this one cannot be deleted.
      moved.add(deadLetter.copyKey);
      if (sentId) sentIds.add(sentId);
      try {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: address.deadLetterUrl, ReceiptHandle: message.ReceiptHandle! }));
        listing.forget(message);
        movedIds.push(deadLetter.messageId);
      } catch (error) {
        failures.push({ messageId: deadLetter.messageId, reason: `sent to ${address.queue.name} but not deleted from the DLQ (${describeError(error)}); delete it there, or a later redrive sends it again` });
      }
      options.onProgress?.(movedIds.length + failures.length, undefined);
    }
  } finally {
    await listing.close();
  }
  const { visible, inFlight } = await queueCounts(sqs, address.deadLetterUrl);
  // A message that failed again at once may have come back after the listing ended: counted above, it is told from
  // what this run never moved by one more look, so that it is not reported as left over.
  if (sentIds.size > 0 && visible > 0) await findReturned(sqs, address, sentIds, returned, visible);
  return {
    method: 'client-side',
    moved: options.dryRun ? 0 : movedIds.length,
    failed: failures.length,
    skipped,
    duplicates,
    returned: returned.size,
    left: visible + inFlight,
    maxReached: !walk && listing.received >= options.max,
    notFound: (filter.ids ?? []).filter((id) => !seenIds.has(id)),
    movedIds,
    failures,
  };
}

/** Adds to `returned` the dead letters in the DLQ now that are of messages this run sent back; gives them all back. */
async function findReturned(sqs: SQSClient, address: QueueAddress, sentIds: ReadonlySet<string>, returned: Set<string>, max: number): Promise<void> {
  const listing = new QueueListing(sqs, address.deadLetterUrl, { max });
  try {
    for await (const message of listing.messages()) {
      const deadLetter = describeDeadLetter(message);
      if (sentIds.has(deadLetter.messageId) || sentIds.has(deadLetter.sourceMessageId)) returned.add(deadLetter.messageId);
    }
  } finally {
    await listing.close();
  }
}

/**
 * Deletes a dead letter the listing received (a further copy of a message already moved; the console's Delete);
 * a failure leaves it in the DLQ and is reported. Resolves to whether it was deleted.
 */
export async function deleteCopy(
  sqs: SQSClient,
  address: QueueAddress,
  message: Message,
  listing: QueueListing,
  failures: Array<{ messageId: string; reason: string }>,
  what = 'a duplicate copy',
): Promise<boolean> {
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: address.deadLetterUrl, ReceiptHandle: message.ReceiptHandle! }));
    listing.forget(message);
    return true;
  } catch (error) {
    failures.push({ messageId: message.MessageId!, reason: `${what} could not be deleted: ${describeError(error)}` });
    return false;
  }
}
