import type { SQSClient } from '@aws-sdk/client-sqs';
import { PostboxError } from '../postbox-error.ts';
import { deleteCopy } from './dead-letter-redrive.ts';
import type { QueueAddress } from './queue-directory.ts';
import { QueueListing } from './queue-listing.ts';
import { requeueAtGroupTail } from './requeue-at-group-tail.ts';

/** What a delete of selected dead letters did. */
export interface DeleteSummary {
  /** Message ids deleted for good. */
  readonly deleted: readonly string[];
  /** Ids asked for that the DLQ did not hand out (already gone, or in flight with another reader). */
  readonly notFound: readonly string[];
  readonly failures: ReadonlyArray<{ readonly messageId: string; readonly reason: string }>;
}

/** A delete with no dead letter named: deleting them all is a purge, asked for as such. */
export class EmptyDeleteSelectionError extends PostboxError {
  readonly code = 'EMPTY_DELETE_SELECTION';
}

/**
 * Deletes for good the dead letters with these message ids, and only those: the DLQ is listed as a selective
 * redrive lists it, and each selected message is deleted as the redrive deletes a copy it does not move
 * (`deleteCopy`). What is not selected is given back at the end; on a FIFO DLQ, where holding a message hides the
 * rest of its group, each group is walked whole and what is not selected goes back behind its group
 * (`requeueAtGroupTail`), so a selected message anywhere in a group is reached.
 */
export async function deleteDeadLetters(sqs: SQSClient, address: QueueAddress, ids: readonly string[], max = 1000): Promise<DeleteSummary> {
  if (ids.length === 0) {
    throw new EmptyDeleteSelectionError(`no dead letter of ${address.queue.deadLetterQueueName} was selected to delete; name their message ids, or purge the DLQ to delete them all`);
  }
  const walk = address.queue.fifo === true;
  const listing = new QueueListing(sqs, address.deadLetterUrl, { max: walk ? Number.POSITIVE_INFINITY : max });
  const wanted = new Set(ids);
  const deleted: string[] = [];
  const requeued = new Set<string>();
  const failures: Array<{ messageId: string; reason: string }> = [];
  try {
    for await (const message of listing.messages()) {
      if (requeued.has(message.MessageId!)) continue;
      if (!wanted.has(message.MessageId!)) {
        if (walk) await requeueAtGroupTail(sqs, address, message, listing, requeued, failures);
        continue;
      }
      wanted.delete(message.MessageId!);
      if (await deleteCopy(sqs, address, message, listing, failures, 'the dead letter')) deleted.push(message.MessageId!);
      // Stopping part-way through a FIFO group would leave what it requeued behind what it did not reach.
      if (wanted.size === 0 && !walk) break;
    }
  } finally {
    await listing.close();
  }
  return { deleted, notFound: [...wanted], failures };
}
