import type { SQSClient } from '@aws-sdk/client-sqs';

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly type: string;
  receiptHandle: string;
  visibleAt: number;
  receives: number;
}

/**
 * An SQS queue in memory, for the polling consumer's unit tests under fake timers: the commands the consumer sends
 * (receive with a long poll that its abort signal cuts short for the client only, as SQS's, delete, change visibility, send to the DLQ), each
 * recorded. Time is the faked Date.now; a long poll waits on the faked setTimeout.
 */
export class FakeSqsQueue {
  readonly url = 'https://sqs.us-east-1.amazonaws.com/111111111111/pay-dev-archive';
  readonly deadLetterUrl = 'https://sqs.us-east-1.amazonaws.com/111111111111/pay-dev-archive-dlq';
  /** Every receive: how many it asked for, and whether it was aborted. */
  readonly receives: Array<{ max: number; aborted: boolean }> = [];
  readonly deleted: string[] = [];
  readonly visibilityChanges: Array<{ id: string; seconds: number }> = [];
  readonly deadLettered: string[] = [];
  /** Called as each receive is asked for, with how many it asks for. */
  onReceive: (max: number) => void = () => undefined;
  /** The next this-many ChangeMessageVisibility calls fail (Infinity: all). */
  failVisibilityChanges = 0;
  private readonly messages: StoredMessage[] = [];
  private handles = 0;

  add(id: string, data: unknown, type = 'payment.received'): void {
    this.messages.push({ id, body: JSON.stringify(data), type, receiptHandle: '', visibleAt: 0, receives: 0 });
  }

  /** Ids of the messages a receive would hand out now. */
  visibleIds(): string[] {
    return this.messages.filter((message) => message.visibleAt <= Date.now()).map((message) => message.id);
  }

  readonly client = {
    send: (command: { constructor: { name: string }; input: Record<string, any> }, options?: { abortSignal?: AbortSignal }) => this.handle(command.constructor.name, command.input, options?.abortSignal),
  } as unknown as SQSClient;

  private async handle(name: string, input: Record<string, any>, signal: AbortSignal | undefined): Promise<unknown> {
    switch (name) {
      case 'ReceiveMessageCommand':
        return this.receive(input.MaxNumberOfMessages, input.WaitTimeSeconds, input.VisibilityTimeout, signal);
      case 'DeleteMessageBatchCommand':
        for (const entry of input.Entries) this.remove(entry.ReceiptHandle);
        return { Failed: [] };
      case 'ChangeMessageVisibilityCommand':
        if (this.failVisibilityChanges > 0) {
          this.failVisibilityChanges -= 1;
          throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError' });
        }
        this.changeVisibility(input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      case 'ChangeMessageVisibilityBatchCommand':
        for (const entry of input.Entries) this.changeVisibility(entry.ReceiptHandle, entry.VisibilityTimeout);
        return { Failed: [] };
      case 'SendMessageCommand':
        this.deadLettered.push(input.MessageBody);
        return { MessageId: `dlq-${this.deadLettered.length}` };
      case 'GetQueueAttributesCommand':
        return { Attributes: { MaximumMessageSize: '1048576' } };
      default:
        throw new Error(`FakeSqsQueue: ${name} is not faked`);
    }
  }

  private async receive(max: number, waitSeconds: number, visibilitySeconds: number, signal: AbortSignal | undefined) {
    const record = { max, aborted: false };
    this.receives.push(record);
    this.onReceive(max);
    // As SQS does, the poll lives on when its client gives it up: what it takes then stays hidden.
    const served = this.serve(max, waitSeconds, visibilitySeconds);
    if (!signal) return served;
    // The SDK's handler refuses a request whose signal is aborted already: no listener would hear that abort.
    if (signal.aborted) {
      record.aborted = true;
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    }
    return Promise.race([
      served,
      new Promise<never>((_resolve, reject) =>
        signal.addEventListener('abort', () => {
          record.aborted = true;
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
        }, { once: true }),
      ),
    ]);
  }

  private async serve(max: number, waitSeconds: number, visibilitySeconds: number) {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const visible = this.messages.filter((message) => message.visibleAt <= Date.now()).slice(0, max);
      if (visible.length > 0 || Date.now() >= deadline) {
        return {
          Messages: visible.map((message) => {
            message.receives += 1;
            message.visibleAt = Date.now() + visibilitySeconds * 1000;
            message.receiptHandle = `${message.id}#${++this.handles}`;
            return {
              MessageId: message.id,
              ReceiptHandle: message.receiptHandle,
              Body: message.body,
              Attributes: { ApproximateReceiveCount: String(message.receives), SentTimestamp: '0' },
              MessageAttributes: { type: { DataType: 'String', StringValue: message.type } },
            };
          }),
        };
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 100));
    }
  }

  private byHandle(receiptHandle: string): StoredMessage | undefined {
    return this.messages.find((message) => message.receiptHandle === receiptHandle);
  }

  private remove(receiptHandle: string): void {
    const message = this.byHandle(receiptHandle);
    if (!message) return;
    this.messages.splice(this.messages.indexOf(message), 1);
    this.deleted.push(message.id);
  }

  private changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.byHandle(receiptHandle);
    if (!message) return;
    message.visibleAt = Date.now() + seconds * 1000;
    this.visibilityChanges.push({ id: message.id, seconds });
  }
}
