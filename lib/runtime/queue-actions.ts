import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { FAILURE_ATTRIBUTES } from '../messages/failure-record.ts';
import { describeError, errorCode } from '../messages/message-errors.ts';
import type { ResolvedQueue } from '../topology/resolve-topology.ts';
import type { ReceivedMessage } from './message-processor.ts';

type SqsSdk = typeof import('@aws-sdk/client-sqs');


/** SQS accepts at most 10 message attributes. */
const MAX_MESSAGE_ATTRIBUTES = 10;
/** Attribute values count toward the message size; a reason needs no more. */
const MAX_ERROR_MESSAGE_LENGTH = 1024;

export interface QueueAddresses {
  readonly queueUrl?: string;
  readonly deadLetterQueueUrl?: string;
}

export interface DeadLetterReason {
  readonly error: unknown;
  readonly handler: string;
  readonly attempt: number;
}

/** What consumers do to a queue's messages: delete, delay, dead-letter. URLs are looked up once by name when not given. */
export class QueueActions {
  private queueUrl: Promise<string> | undefined;
  private deadLetterQueueUrl: Promise<string> | undefined;
  private sdk: Promise<SqsSdk> | undefined;

  /**
   * @param sqs the client to use; by default one is made on first use. The SDK
   *   is loaded only then, so a Lambda whose records all succeed never pays
   *   for loading it at cold start (see `npm run bench`).
   */
  constructor(
    private sqs: SQSClient | undefined,
    private readonly queue: ResolvedQueue,
    addresses: QueueAddresses = {},
  ) {
    if (addresses.queueUrl) this.queueUrl = Promise.resolve(addresses.queueUrl);
    if (addresses.deadLetterQueueUrl) this.deadLetterQueueUrl = Promise.resolve(addresses.deadLetterQueueUrl);
  }

  /** Long-polls for up to `max` messages (at most 10), with every attribute. */
  async receive(max: number, waitTimeSeconds: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
    const { sdk, client } = await this.client();
    const { Messages = [] } = await client.send(
      new sdk.ReceiveMessageCommand({
        QueueUrl: await this.mainUrl(),
        MaxNumberOfMessages: Math.min(max, 10),
        WaitTimeSeconds: waitTimeSeconds,
        VisibilityTimeout: visibilityTimeoutSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return Messages.map(fromSqsMessage);
  }

  /**
   * Deletes up to 10 messages in one request. Resolves to the entries SQS did
   * not delete, each with its reason; they come back after their visibility timeout.
   */
  async deleteBatch(receiptHandles: readonly string[]): Promise<Array<{ receiptHandle: string; reason: string }>> {
    const { sdk, client } = await this.client();
    const { Failed = [] } = await client.send(
      new sdk.DeleteMessageBatchCommand({
        QueueUrl: await this.mainUrl(),
        Entries: receiptHandles.map((receiptHandle, index) => ({ Id: String(index), ReceiptHandle: receiptHandle })),
      }),
    );
    return Failed.map((entry) => ({ receiptHandle: receiptHandles[Number(entry.Id)]!, reason: `${entry.Code}: ${entry.Message ?? 'no message'}` }));
  }

  /** Hides the message for `seconds`: it comes back then, as the next attempt. */
  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    const { sdk, client } = await this.client();
    await client.send(
      new sdk.ChangeMessageVisibilityCommand({ QueueUrl: await this.mainUrl(), ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
    );
  }

  /**
   * Sends a copy of the message, body and attributes intact, to the dead-letter
   * queue with the reason in `postbox.*` attributes. The caller deletes the
   * original only after this resolves, so a crash in between duplicates at
   * worst and never loses the message.
   */
  async deadLetter(message: ReceivedMessage, reason: DeadLetterReason): Promise<void> {
    const failure: Record<string, string> = {
      [FAILURE_ATTRIBUTES.errorCode]: errorCode(reason.error),
      [FAILURE_ATTRIBUTES.errorMessage]: describeError(reason.error).slice(0, MAX_ERROR_MESSAGE_LENGTH),
      [FAILURE_ATTRIBUTES.handler]: reason.handler,
      [FAILURE_ATTRIBUTES.attempt]: String(reason.attempt),
      [FAILURE_ATTRIBUTES.failedAt]: new Date().toISOString(),
    };
    const original = Object.entries(message.attributes)
      .filter(([name]) => !name.startsWith('postbox.'))
      .slice(0, MAX_MESSAGE_ATTRIBUTES - Object.keys(failure).length);
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of [...original, ...Object.entries(failure)]) {
      attributes[name] = { DataType: name === FAILURE_ATTRIBUTES.attempt ? 'Number' : 'String', StringValue: value };
    }
    const { sdk, client } = await this.client();
    await client.send(
      new sdk.SendMessageCommand({
        QueueUrl: await this.deadLetterUrl(),
        MessageBody: message.body,
        MessageAttributes: attributes,
        ...(this.queue.fifo && { MessageGroupId: message.groupId ?? message.messageId, MessageDeduplicationId: message.messageId }),
      }),
    );
  }

  private mainUrl(): Promise<string> {
    this.queueUrl ??= this.lookUp(this.queue.name).catch((error: unknown) => {
      this.queueUrl = undefined;
      throw error;
    });
    return this.queueUrl;
  }

  private deadLetterUrl(): Promise<string> {
    this.deadLetterQueueUrl ??= this.lookUp(this.queue.deadLetterQueueName).catch((error: unknown) => {
      this.deadLetterQueueUrl = undefined;
      throw error;
    });
    return this.deadLetterQueueUrl;
  }

  private async lookUp(name: string): Promise<string> {
    const { sdk, client } = await this.client();
    const { QueueUrl } = await client.send(new sdk.GetQueueUrlCommand({ QueueName: name }));
    return QueueUrl!;
  }

  private async client(): Promise<{ sdk: SqsSdk; client: SQSClient }> {
    this.sdk ??= import('@aws-sdk/client-sqs');
    const sdk = await this.sdk;
    // The SDK reads AWS_ENDPOINT_URL and AWS_REGION itself.
    this.sqs ??= new sdk.SQSClient({});
    return { sdk, client: this.sqs };
  }
}

/** A message received with ReceiveMessage, as the processor sees it. */
export function fromSqsMessage(message: Message): ReceivedMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes,
    receiveCount: Number(system.ApproximateReceiveCount) || 1,
    groupId: system.MessageGroupId,
    sentTimestamp: system.SentTimestamp === undefined ? undefined : Number(system.SentTimestamp),
    firstReceivedAt: Number(system.ApproximateFirstReceiveTimestamp) || Date.now(),
  };
}
