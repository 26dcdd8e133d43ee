import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { deadLetterAttributes } from '../../messages/dead-letter-copy.ts';
import { failureRecord } from '../../messages/failure-record.ts';
import { messageSizeBytes, stringAttributes, withDataTypes, type MessageAttribute, type MessageAttributes } from '../../messages/message-attributes.ts';
import { describeError, errorCode } from '../../messages/message-errors.ts';
import type { ResolvedQueue } from '../../topology/resolve-topology.ts';
import { DEAD_LETTER_MAX_MESSAGE_BYTES } from '../../messages/wire-contract.ts';
import { awsClientConfig } from '../../aws/aws-client-config.ts';
import { endpointOf } from '../../aws/aws-errors.ts';
import { callAws, queueUrlOf } from '../../aws/call-aws.ts';
import { DeadLetterFailedError, DeadLetterTooLargeError } from './dead-letter-errors.ts';
import type { ReceivedMessage } from './message-processor.ts';

type SqsSdk = typeof import('@aws-sdk/client-sqs');

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
  private deadLetterLimitBytes: Promise<number> | undefined;
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

  /**
   * Long-polls for up to `max` messages (at most 10), with every attribute. `stop` aborts the poll while it waits,
   * not once SQS has answered: messages in hand are returned, for the caller to release.
   */
  async receive(max: number, waitTimeSeconds: number, visibilityTimeoutSeconds: number, stop?: AbortSignal): Promise<ReceivedMessage[]> {
    const { sdk, client } = await this.client();
    const askedAt = Date.now();
    const command = new sdk.ReceiveMessageCommand({
      QueueUrl: await this.mainUrl(),
      MaxNumberOfMessages: Math.min(max, 10),
      WaitTimeSeconds: waitTimeSeconds,
      VisibilityTimeout: visibilityTimeoutSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    });
    const poll = stop && abortableUntilAnswered(command, stop);
    try {
      const { Messages = [] } = await client.send(command, poll && { abortSignal: poll.signal });
      return Messages.map((message) => fromSqsMessage(message, askedAt));
    } finally {
      poll?.dispose();
    }
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

  /**
   * Sets the visibility of up to 10 messages in one request. Resolves to the
   * entries SQS did not change, each with its reason.
   */
  async changeVisibilityBatch(receiptHandles: readonly string[], seconds: number): Promise<Array<{ receiptHandle: string; reason: string }>> {
    const { sdk, client } = await this.client();
    const { Failed = [] } = await client.send(
      new sdk.ChangeMessageVisibilityBatchCommand({
        QueueUrl: await this.mainUrl(),
        Entries: receiptHandles.map((receiptHandle, index) => ({ Id: String(index), ReceiptHandle: receiptHandle, VisibilityTimeout: seconds })),
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
   * Sends a copy of the message to the dead-letter queue: its body, the
   * producer's attributes exactly, and the failure record (see
   * `deadLetterAttributes`), which names the message on its source queue,
   * and its message group (on a standard queue, a fair queue's tenant, when it has one).
   * The caller deletes the original only after this resolves, so a crash in
   * between duplicates at worst and never loses the message; on FIFO queues the
   * source message id is the deduplication id, so SQS drops such a duplicate.
   * @throws DeadLetterTooLargeError when the copy is larger than the DLQ accepts
   * @throws DeadLetterFailedError when SQS refuses it
   * In both cases the message stays on its queue, for the redrive policy.
   */
  async deadLetter(message: ReceivedMessage, reason: DeadLetterReason): Promise<void> {
    const record = failureRecord({
      errorCode: errorCode(reason.error),
      errorMessage: describeError(reason.error),
      handler: reason.handler,
      attempt: reason.attempt,
      failedAt: new Date().toISOString(),
      sourceMessageId: message.messageId,
    });
    const attributes = deadLetterAttributes(message.messageAttributes ?? stringAttributes(message.attributes), record);
    const queueUrl = await this.deadLetterUrl();
    const deadLetterQueueName = queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
    const sizeBytes = messageSizeBytes(message.body, attributes);
    const limitBytes = await this.deadLetterLimit(queueUrl);
    if (sizeBytes > limitBytes) throw new DeadLetterTooLargeError(message.messageId, this.queue.name, deadLetterQueueName, sizeBytes, limitBytes);
    const { sdk, client } = await this.client();
    try {
      await client.send(
        new sdk.SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.body,
          MessageAttributes: withDataTypes(attributes),
          ...(this.queue.fifo
            ? { MessageGroupId: message.groupId ?? message.messageId, MessageDeduplicationId: message.messageId }
            : message.groupId !== undefined && { MessageGroupId: message.groupId }),
        }),
      );
    } catch (error) {
      throw new DeadLetterFailedError(message.messageId, this.queue.name, deadLetterQueueName, error);
    }
  }

  /**
   * Sends a copy of a standard queue's message back to its own queue: the same body, with `attributes` (the
   * message's, as the caller wants them). The copy starts with a receive count of 0; the caller deletes the original.
   */
  async sendCopy(message: ReceivedMessage, attributes: MessageAttributes): Promise<void> {
    const { sdk, client } = await this.client();
    const queueUrl = await this.mainUrl();
    await callAws(() => client.send(new sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message.body, MessageAttributes: withDataTypes(attributes) })), {
      queue: this.queue.name,
    });
  }

  /** Sends a reply to a requester's reply queue (a URL the request carried). */
  async sendReply(queueUrl: string, body: string): Promise<void> {
    const { sdk, client } = await this.client();
    await callAws(() => client.send(new sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })), { queue: queueUrl.slice(queueUrl.lastIndexOf('/') + 1) });
  }

  /**
   * The largest message the dead-letter queue accepts, read once. Postbox
   * makes every DLQ SQS's largest; a DLQ made otherwise may be smaller.
   */
  private deadLetterLimit(queueUrl: string): Promise<number> {
    this.deadLetterLimitBytes ??= (async () => {
      const { sdk, client } = await this.client();
      const { Attributes = {} } = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }));
      return Number(Attributes.MaximumMessageSize) || DEAD_LETTER_MAX_MESSAGE_BYTES;
    })().catch(() => {
      // Unreadable (no permission, say): SQS still checks the size when the copy is sent.
      this.deadLetterLimitBytes = undefined;
      return DEAD_LETTER_MAX_MESSAGE_BYTES;
    });
    return this.deadLetterLimitBytes;
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
    const { client } = await this.client();
    return queueUrlOf(client, name, { endpoint: await endpointOf(client) });
  }

  private async client(): Promise<{ sdk: SqsSdk; client: SQSClient }> {
    this.sdk ??= import('@aws-sdk/client-sqs');
    const sdk = await this.sdk;
    // The SDK reads AWS_ENDPOINT_URL and AWS_REGION itself.
    this.sqs ??= new sdk.SQSClient(awsClientConfig());
    return { sdk, client: this.sqs };
  }
}

/** A message received with ReceiveMessage asked for at `receivedAt`, as the processor sees it. */
export function fromSqsMessage(message: Message, receivedAt: number): ReceivedMessage {
  const attributes: Record<string, string> = {};
  const messageAttributes: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
    messageAttributes[name] = {
      DataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined && { StringValue: value.StringValue }),
      ...(value.BinaryValue !== undefined && { BinaryValue: value.BinaryValue }),
    };
  }
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    receiveCount: Number(system.ApproximateReceiveCount) || 1,
    groupId: system.MessageGroupId,
    sentTimestamp: system.SentTimestamp === undefined ? undefined : Number(system.SentTimestamp),
    receivedAt,
  };
}

/**
 * A signal for one request that `stop` aborts only until the response arrives: once SQS has answered, its messages
 * are this process's, and reading the rest of the body is better than hiding them for their visibility timeout.
 */
function abortableUntilAnswered(command: { middlewareStack: { add: (...args: any[]) => void } }, stop: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let answered = false;
  command.middlewareStack.add(
    (next: (args: unknown) => Promise<{ response: { statusCode?: number } }>) => async (args: unknown) => {
      const result = await next(args);
      answered = (result.response.statusCode ?? 0) < 300;
      return result;
    },
    // Closest to the transport: it sees the response as its headers arrive, before the body is read.
    { step: 'deserialize', priority: 'low', name: 'postboxAnswered' },
  );
  const abort = () => {
    if (!answered) controller.abort();
  };
  if (stop.aborted) abort();
  else stop.addEventListener('abort', abort, { once: true });
  return { signal: controller.signal, dispose: () => stop.removeEventListener('abort', abort) };
}
