import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describeError, errorCode } from '../messages/message-errors.ts';
import type { ResolvedQueue } from '../topology/resolve-topology.ts';
import type { ReceivedMessage } from './message-processor.ts';

/** Message attributes Postbox adds to a message it dead-letters itself. */
export const FAILURE_ATTRIBUTES = {
  errorCode: 'postbox.errorCode',
  errorMessage: 'postbox.errorMessage',
  handler: 'postbox.handler',
  attempt: 'postbox.attempt',
  failedAt: 'postbox.failedAt',
} as const;

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

  constructor(
    private readonly sqs: SQSClient,
    private readonly queue: ResolvedQueue,
    addresses: QueueAddresses = {},
  ) {
    if (addresses.queueUrl) this.queueUrl = Promise.resolve(addresses.queueUrl);
    if (addresses.deadLetterQueueUrl) this.deadLetterQueueUrl = Promise.resolve(addresses.deadLetterQueueUrl);
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: await this.mainUrl(), ReceiptHandle: receiptHandle }));
  }

  /** Hides the message for `seconds`: it comes back then, as the next attempt. */
  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: await this.mainUrl(), ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
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
    await this.sqs.send(
      new SendMessageCommand({
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

  private lookUp(name: string): Promise<string> {
    return this.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(({ QueueUrl }) => QueueUrl!);
  }
}
