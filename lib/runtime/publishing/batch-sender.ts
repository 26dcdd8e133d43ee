import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DestinationAddresses } from './destination-addresses.ts';
import { DeliveryError } from './publish-errors.ts';
import { deliveryErrorOf, isTransient, snsEntry, sqsEntry, type Sendable } from './publish-requests.ts';

export interface PublishedMessage {
  readonly index: number;
  /** The envelope id. */
  readonly id: string;
  readonly type: string;
  /** `scheduled`: handed to the scheduler, to be delivered at `scheduledAt` (publish and send only). */
  readonly status: 'sent' | 'failed' | 'scheduled';
  /** When a schedule delivers it. */
  readonly scheduledAt?: Date;
  /** The id SNS or SQS gave it. */
  readonly messageId?: string;
  readonly error?: DeliveryError;
  /** Calls it took, 1 unless retried. */
  readonly attempts: number;
}

export interface BatchSettings {
  /** Tries per entry that SNS/SQS failed on their side, or did not answer for. */
  readonly maxAttempts: number;
  /** First retry delay in ms, doubling, with full jitter. */
  readonly retryBaseMs: number;
}

/**
 * Sends one batch of one destination (PublishBatch or SendMessageBatch) and
 * retries the entries that failed on SNS's or SQS's side, or that the response
 * did not mention: every entry ends in the report, sent or failed.
 */
export class BatchSender {
  constructor(
    private readonly sns: SNSClient,
    private readonly sqs: SQSClient,
    private readonly addresses: DestinationAddresses,
    private readonly settings: BatchSettings,
  ) {}

  async send(batch: Sendable[]): Promise<{ results: PublishedMessage[]; calls: number }> {
    const { maxAttempts, retryBaseMs } = this.settings;
    const results: PublishedMessage[] = [];
    let pending = batch;
    let calls = 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      calls += 1;
      const { sent, failed } = await this.sendBatch(pending);
      for (const [message, messageId] of sent) {
        results.push({ index: message.index, id: message.envelope.id, type: message.envelope.type, status: 'sent', messageId, attempts: attempt });
      }
      const retryable = failed.filter((failure) => failure.retryable && attempt < maxAttempts);
      for (const failure of failed.filter((f) => !retryable.includes(f))) {
        const { message } = failure;
        results.push({ index: message.index, id: message.envelope.id, type: message.envelope.type, status: 'failed', error: failure.error, attempts: attempt });
      }
      pending = retryable.map((failure) => failure.message);
      if (pending.length > 0) await sleep(Math.random() * retryBaseMs * 2 ** (attempt - 1));
    }
    return { results, calls };
  }

  private async sendBatch(batch: Sendable[]): Promise<{
    sent: Array<[Sendable, string | undefined]>;
    failed: Array<{ message: Sendable; error: DeliveryError; retryable: boolean }>;
  }> {
    const destination = batch[0]!.destination;
    const byEntryId = new Map(batch.map((message, position) => [String(position), message]));
    const where = `${destination.kind} ${destination.name}`;
    try {
      const address = await this.addresses.of(destination);
      const response =
        destination.kind === 'topic'
          ? await this.sns.send(
              new PublishBatchCommand({ TopicArn: address, PublishBatchRequestEntries: batch.map((message, position) => ({ Id: String(position), ...snsEntry(message) })) }),
            )
          : await this.sqs.send(
              new SendMessageBatchCommand({ QueueUrl: address, Entries: batch.map((message, position) => ({ Id: String(position), ...sqsEntry(message) })) }),
            );
      const sent: Array<[Sendable, string | undefined]> = [];
      const failed: Array<{ message: Sendable; error: DeliveryError; retryable: boolean }> = [];
      for (const entry of response.Successful ?? []) {
        const message = byEntryId.get(entry.Id!);
        if (message && byEntryId.delete(entry.Id!)) sent.push([message, entry.MessageId]);
      }
      for (const entry of response.Failed ?? []) {
        const message = byEntryId.get(entry.Id!);
        if (!message || !byEntryId.delete(entry.Id!)) continue;
        const reason = `${entry.Code}: ${entry.Message ?? 'no reason given'}`;
        failed.push({ message, error: new DeliveryError(message.envelope.id, message.envelope.type, where, reason), retryable: !entry.SenderFault });
      }
      // An entry the response does not name may or may not have been taken: sending it again risks a duplicate, not a loss.
      const call = destination.kind === 'topic' ? 'PublishBatch' : 'SendMessageBatch';
      for (const message of byEntryId.values()) {
        const reason = `the ${call} response named it neither successful nor failed, so it may or may not have been sent; send it again (its consumers may then see its id twice)`;
        failed.push({ message, error: new DeliveryError(message.envelope.id, message.envelope.type, where, reason), retryable: true });
      }
      return { sent, failed };
    } catch (error) {
      const retryable = isTransient(error);
      return { sent: [], failed: batch.map((message) => ({ message, error: deliveryErrorOf(message, error), retryable })) };
    }
  }

}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
