import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS refuses to keep a message hidden longer than this after it was received. */
export const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export interface QueueListingOptions {
  /** Most distinct messages to receive. */
  readonly max: number;
  /**
   * Seconds each receive hides a message; renewed while the listing runs, so
   * nothing listed comes back before the listing ends.
   * @default 60
   */
  readonly visibilitySeconds?: number;
}

interface Held {
  readonly receiptHandle: string;
  readonly receivedAt: number;
  hiddenUntil: number;
}

/**
 * The visibility to set now on a message held since `receivedAt`, or undefined
 * while it is hidden long enough (more than a third of `visibilitySeconds`
 * left). Never asks past SQS's 12 h from the receive.
 */
export function renewalSeconds(held: { receivedAt: number; hiddenUntil: number }, now: number, visibilitySeconds: number): number | undefined {
  if (held.hiddenUntil - now > (visibilitySeconds * 1000) / 3) return undefined;
  const allowed = Math.floor((held.receivedAt + MAX_VISIBILITY_SECONDS * 1000 - now) / 1000);
  const seconds = Math.min(visibilitySeconds, allowed);
  return seconds > 0 ? seconds : undefined;
}

/**
 * Receives each message of a queue once, up to `max`: de-duplicated by
 * message id, hidden while the listing runs (renewed every third of the
 * visibility), given back by {@link QueueListing.close}. Only receipt handles
 * are kept, never bodies, so a long listing streams in bounded memory.
 */
export class QueueListing {
  private readonly held = new Map<string, Held>();
  private readonly seen = new Set<string>();
  private readonly visibilitySeconds: number;
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();
  /** Distinct messages received so far. */
  received = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly options: QueueListingOptions,
  ) {
    this.visibilitySeconds = options.visibilitySeconds ?? 60;
  }

  /** Each distinct message once, as it is received. */
  async *messages(): AsyncGenerator<Message> {
    this.timer ??= setInterval(() => {
      this.renewing = this.renewing.then(() => this.renew());
    }, (this.visibilitySeconds * 1000) / 3);
    // A receive that brings only messages already listed means their hiding lapsed; a few in a row end the listing.
    let idle = 0;
    while (this.received < this.options.max && idle < 3) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.options.max - this.received),
          WaitTimeSeconds: 1,
          VisibilityTimeout: this.visibilitySeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return;
      const now = Date.now();
      const fresh = Messages.filter((message) => {
        this.held.set(message.MessageId!, { receiptHandle: message.ReceiptHandle!, receivedAt: now, hiddenUntil: now + this.visibilitySeconds * 1000 });
        if (this.seen.has(message.MessageId!)) return false;
        this.seen.add(message.MessageId!);
        return true;
      });
      idle = fresh.length === 0 ? idle + 1 : 0;
      for (const message of fresh) {
        if (this.received >= this.options.max) break;
        this.received++;
        yield message;
      }
    }
  }

  /** Stops hiding a message the caller deleted. */
  forget(message: Message): void {
    this.held.delete(message.MessageId!);
  }

  /** Stops renewing; what is held stays hidden until its visibility ends. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  /** Stops renewing and makes every message still held visible again at once. */
  async close(): Promise<void> {
    await this.stop();
    const handles = [...this.held.values()].map((held) => held.receiptHandle);
    this.held.clear();
    await changeVisibility(this.sqs, this.queueUrl, handles.map((receiptHandle) => ({ receiptHandle, seconds: 0 })));
  }

  private async renew(): Promise<void> {
    const now = Date.now();
    const due = [...this.held.entries()].flatMap(([id, held]) => {
      const seconds = renewalSeconds(held, now, this.visibilitySeconds);
      return seconds === undefined ? [] : [{ id, held, seconds }];
    });
    const failed = await changeVisibility(
      this.sqs,
      this.queueUrl,
      due.map(({ held, seconds }) => ({ receiptHandle: held.receiptHandle, seconds })),
    ).catch(() => due.map((_, index) => index));
    due.forEach(({ id, held, seconds }, index) => {
      // A refused renewal (deleted meanwhile, stale handle): the message may come back; the listing skips it by id.
      if (failed.includes(index)) this.held.delete(id);
      else held.hiddenUntil = now + seconds * 1000;
    });
  }
}

/** Sets visibility in batches of ten; resolves to the indexes SQS refused. */
async function changeVisibility(sqs: SQSClient, queueUrl: string, entries: ReadonlyArray<{ receiptHandle: string; seconds: number }>): Promise<number[]> {
  const failed: number[] = [];
  for (let start = 0; start < entries.length; start += 10) {
    const { Failed = [] } = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: entries.slice(start, start + 10).map((entry, offset) => ({ Id: String(start + offset), ReceiptHandle: entry.receiptHandle, VisibilityTimeout: entry.seconds })),
      }),
    );
    failed.push(...Failed.map((entry) => Number(entry.Id)));
  }
  return failed;
}

/** What a queue holds, as SQS counts it: visible, and hidden by some reader (in flight). */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
}
