import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeError } from '../messages/message-errors.ts';
import { toSqsRecord } from '../runtime/consuming/lambda/sqs-record.ts';
import { fullJitterDelayMs } from '../retry/backoff.ts';
import { QueueArnLookUpError } from './local-errors.ts';

/** Kept back from the end of a batch's visibility: a delete sent later may find it handed out again. */
const DELETE_MARGIN_MS = 1_000;

/** A Lambda handler of SQS events, as `createSqsHandler` makes. */
export type SqsLambdaHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface LocalEventSourceOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: SqsLambdaHandler;
  /** Records per invocation; SQS returns at most 10 per receive. @default 10 */
  readonly batchSize?: number;
  /** Long-poll wait per receive, in seconds. @default 1 */
  readonly waitTimeSeconds?: number;
  /** @default us-east-1 */
  readonly region?: string;
  /** Name reported in the Lambda context. @default 'local' */
  readonly functionName?: string;
  /** The function's timeout: the context's remaining time counts down from it. @default 30 */
  readonly timeoutSeconds?: number;
}

export interface PollResult {
  readonly received: number;
  readonly deleted: number;
  /** Reported failed by the handler, or handled but not deleted: all of them come back after their visibility timeout. */
  readonly failed: number;
  /** Handled messages SQS did not delete, with its reason: they come back and are handled again. */
  readonly notDeleted: readonly NotDeleted[];
}

export interface NotDeleted {
  readonly messageId: string;
  readonly reason: string;
}

/**
 * Runs a Lambda SQS handler in-process the way Lambda's event source mapping
 * does: receive a batch, invoke, delete the records not reported in
 * `batchItemFailures`, and leave the rest (and all of them, if the invocation
 * throws) to come back after their visibility timeout.
 */
export class LocalEventSource {
  private attributes: Promise<{ arn: string; visibilityTimeoutSeconds: number }> | undefined;
  private invocations = 0;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** Set while paused: the loop waits on it before its next receive. */
  private pausedUntil: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly options: LocalEventSourceOptions) {}

  /**
   * Polls and invokes until stopped; `onPoll` sees every result, `onError` every failed poll. The next receive
   * goes out while the batch before is being deleted, as Lambda's poller does, so a delete's round trip adds
   * nothing to the next messages' wait; invocations stay one at a time.
   */
  start(onPoll: (result: PollResult) => void = () => undefined, onError: (error: unknown) => void = () => undefined): void {
    this.loop ??= (async () => {
      const deleting = new Set<Promise<void>>();
      while (!this.stopping) {
        if (this.pausedUntil) {
          await this.pausedUntil.promise;
          continue;
        }
        try {
          const settle = (await this.receiveAndInvoke()).settled.then(onPoll, onError);
          deleting.add(settle);
          void settle.finally(() => deleting.delete(settle));
        } catch (error) {
          onError(error);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
      await Promise.all(deleting);
    })();
  }

  /**
   * Sends no further receive until {@link resume}, as a disabled event source mapping: messages wait on the queue.
   * The receive under way (one long poll) and its invocation finish.
   */
  pause(): void {
    if (this.pausedUntil) return;
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    this.pausedUntil = { promise, resolve };
  }

  resume(): void {
    this.pausedUntil?.resolve();
    this.pausedUntil = undefined;
  }

  get paused(): boolean {
    return this.pausedUntil !== undefined;
  }

  /** Stops polling; the invocation under way finishes, and every batch is settled first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.resume();
    await this.loop;
  }

  /** One receive and one invocation, and the deletes of its batch; nothing is invoked when the queue is empty. */
  async pollOnce(): Promise<PollResult> {
    return (await this.receiveAndInvoke()).settled;
  }

  /** Receives and invokes; resolves once the handler has returned, with the settling of the batch (its deletes) under way. */
  private async receiveAndInvoke(): Promise<{ settled: Promise<PollResult> }> {
    const { sqs, queueUrl } = this.options;
    // Looked up before receiving, so a failed look-up leaves every message visible.
    const { arn, visibilityTimeoutSeconds } = await this.queueAttributes();
    const hiddenUntil = Date.now() + visibilityTimeoutSeconds * 1000;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(this.options.batchSize ?? 10, 10),
        WaitTimeSeconds: this.options.waitTimeSeconds ?? 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return { settled: Promise.resolve({ received: 0, deleted: 0, failed: 0, notDeleted: [] }) };
    const region = this.options.region ?? 'us-east-1';
    const event: SQSEvent = { Records: Messages.map((message) => toSqsRecord(message, arn, region)) };
    let failedIds: Set<string>;
    try {
      const response = await this.options.handler(event, this.context());
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      return { settled: Promise.resolve({ received: Messages.length, deleted: 0, failed: Messages.length, notDeleted: [] }) };
    }
    const done = Messages.filter((message) => !failedIds.has(message.MessageId!));
    const settled = (async () => {
      const notDeleted = done.length > 0 ? await this.delete(done, hiddenUntil) : [];
      const deleted = done.length - notDeleted.length;
      return { received: Messages.length, deleted, failed: Messages.length - deleted, notDeleted };
    })();
    return { settled };
  }

  /**
   * Deletes handled messages; returns those SQS did not delete. A call that
   * fails whole (the endpoint out of reach) is tried again, as Lambda's
   * poller does, for as long as the messages stay hidden: each one that comes
   * back would be handled twice.
   */
  private async delete(messages: readonly Message[], hiddenUntil: number): Promise<NotDeleted[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { Failed = [] } = await this.options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
          }),
        );
        return Failed.map((entry) => ({ messageId: messages[Number(entry.Id)]!.MessageId!, reason: `${entry.Code}: ${entry.Message ?? 'no reason given'}` }));
      } catch (error) {
        const wait = fullJitterDelayMs(attempt, 200, 5_000);
        if (this.stopping || Date.now() + wait >= hiddenUntil - DELETE_MARGIN_MS) {
          return messages.map((message) => ({ messageId: message.MessageId!, reason: describeError(error) }));
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** The queue's ARN and visibility timeout, looked up once it succeeds: a failed look-up is tried again on the next poll. */
  private queueAttributes(): Promise<{ arn: string; visibilityTimeoutSeconds: number }> {
    const { sqs, queueUrl } = this.options;
    this.attributes ??= sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] })).then(
      ({ Attributes }) => ({ arn: Attributes!.QueueArn!, visibilityTimeoutSeconds: Number(Attributes!.VisibilityTimeout ?? 30) }),
      (error: unknown) => {
        this.attributes = undefined;
        throw new QueueArnLookUpError(queueUrl, describeError(error), { cause: error });
      },
    );
    return this.attributes;
  }

  private context(): Context {
    const functionName = this.options.functionName ?? 'local';
    this.invocations += 1;
    const endsAt = Date.now() + (this.options.timeoutSeconds ?? 30) * 1000;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.options.region ?? 'us-east-1'}:000000000000:function:${functionName}`,
      memoryLimitInMB: '256',
      awsRequestId: `local-${Date.now()}-${this.invocations}`,
      logGroupName: `/local/${functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }
}
