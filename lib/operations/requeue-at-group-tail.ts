import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { withDataTypes } from '../messages/message-attributes.ts';
import { describeError } from '../messages/message-errors.ts';
import type { QueueAddress } from './queue-directory.ts';
import type { QueueListing } from './queue-listing.ts';

/**
 * Puts a FIFO dead letter a selective redrive does not move back at the tail of
 * its own group: a copy (body, attributes with the failure record, group, a
 * fresh deduplication id) is sent first, and only then is the original deleted.
 * Order: the walk takes each group from its head, so the messages it requeues
 * reach the tail in the order they had, and once it reaches the first of its
 * own copies the group has gone round once, whole, and is held there to the
 * end; what it moved left in order too. No loss: a crash between send and
 * delete leaves a copy twice (same failure record: `dlq show` counts it as a
 * copy, `dlq redrive` moves it once). What changes: the requeued messages'
 * DLQ message ids and their SentTimestamp; a dead letter written to the group
 * while the walk runs may land among those it requeued.
 */
export async function requeueAtGroupTail(
  sqs: SQSClient,
  address: QueueAddress,
  message: Message,
  listing: QueueListing,
  requeued: Set<string>,
  failures: Array<{ messageId: string; reason: string }>,
): Promise<void> {
  const group = message.Attributes?.MessageGroupId ?? message.MessageId!;
  let copyId: string | undefined;
  try {
    ({ MessageId: copyId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: address.deadLetterUrl,
        MessageBody: message.Body!,
        MessageAttributes: withDataTypes(message.MessageAttributes ?? {}),
        MessageGroupId: group,
        MessageDeduplicationId: randomUUID(),
      }),
    ));
  } catch (error) {
    // Left where it is, hidden to the end: the ones before it in its group are already at the tail.
    failures.push({ messageId: message.MessageId!, reason: `could not be put back behind its group ${group} (${describeError(error)}); group ${group} in the DLQ may be out of order` });
    return;
  }
  if (copyId) requeued.add(copyId);
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: address.deadLetterUrl, ReceiptHandle: message.ReceiptHandle! }));
    listing.forget(message);
  } catch (error) {
    failures.push({ messageId: message.MessageId!, reason: `put back behind its group as ${copyId} but not deleted (${describeError(error)}); it is in the DLQ twice, and dlq redrive moves it once` });
  }
}
