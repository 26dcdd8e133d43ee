import type { QueueActions } from '../queue-actions.ts';
import { DeleteFailedError } from './polling-errors.ts';

interface PendingDelete {
  readonly receiptHandle: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** SQS deletes at most 10 messages per request. */
const MAX_BATCH = 10;

/**
 * Gathers the deletes of the messages handled in one turn of the event loop
 * into DeleteMessageBatch requests of up to 10: a tenth of the requests (SQS
 * bills per request) and no added wait, since a batch leaves as soon as the
 * turn ends or it is full.
 */
export class DeleteBatcher {
  private pending: PendingDelete[] = [];
  private scheduled = false;
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly actions: Pick<QueueActions, 'deleteBatch'>,
    private readonly queueName: string,
  ) {}

  /** Resolves once SQS has deleted the message; rejects with a DeleteFailedError if it did not. */
  delete(receiptHandle: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ receiptHandle, resolve, reject });
      if (this.pending.length >= MAX_BATCH) {
        this.sendBatch(this.pending.splice(0, MAX_BATCH));
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.sendPending();
        });
      }
    });
  }

  /** Sends what waits at once; resolves when every delete under way has returned (a process about to exit). */
  async flush(): Promise<void> {
    this.sendPending();
    await Promise.all(this.sending);
  }

  private sendPending(): void {
    while (this.pending.length > 0) this.sendBatch(this.pending.splice(0, MAX_BATCH));
  }

  private sendBatch(batch: PendingDelete[]): void {
    const sent = this.send(batch).finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  private async send(batch: PendingDelete[]): Promise<void> {
    try {
      const failed = new Map((await this.actions.deleteBatch(batch.map((entry) => entry.receiptHandle))).map((f) => [f.receiptHandle, f.reason]));
      for (const entry of batch) {
        const reason = failed.get(entry.receiptHandle);
        if (reason === undefined) entry.resolve();
        else entry.reject(new DeleteFailedError(this.queueName, reason));
      }
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
