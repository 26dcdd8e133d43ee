import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AnyTopology, MessageInput, MessageTypeName } from '../../messages/message-types.ts';
import type { PublishedMessage } from './batch-sender.ts';
import type { Routes } from './destination-addresses.ts';
import type { SendDeadLetter } from './outbox/outbox-store.ts';
import type { SendOptions } from './publish-requests.ts';
import type { MessageScheduler } from './scheduling/message-scheduler.ts';

/** What a Publisher is made with, and the shapes its batch calls take and give. */

export interface PublishReport {
  readonly results: readonly PublishedMessage[];
  readonly sent: number;
  readonly failed: number;
  /** API calls made, retries included. */
  readonly calls: number;
  /** Failed messages kept in the send dead-letter (`sendDeadLetter`), to be replayed. */
  readonly deadLettered: number;
}

export interface PublisherOptions {
  /** Stage the topology is resolved for. @default POSTBOX_STAGE, else `dev`: the one rule of `stageOf` */
  readonly stage?: string;
  /** CloudEvents `source` of everything this publisher sends (`orders-service`). */
  readonly source: string;
  /**
   * Topic ARNs by topic name, and queue URLs by queue id, for destinations outside the naming scheme.
   * @default made from each one's physical name, account and region (at a local endpoint, looked up by name once)
   */
  readonly routes?: Routes;
  /**
   * AWS account of the topics and queues.
   * @default POSTBOX_ACCOUNT_ID (set by MessagingStack on its functions and tasks), else the account the credentials name
   */
  readonly account?: string;
  /** Region of the topics and queues, and of the default clients. @default the clients' region (AWS_REGION) */
  readonly region?: string;
  /** @default clients for AWS_ENDPOINT_URL and the region */
  readonly sns?: SNSClient;
  readonly sqs?: SQSClient;
  /**
   * Bucket that a message over its destination's limit (256 KiB on a topic, the queue's maxMessageSizeBytes for a
   * command) is stored in, under `payloads/`, and sent as a pointer to (claim check; see docs/large-payloads.md).
   * @default POSTBOX_PAYLOAD_BUCKET (set by MessagingStack on its functions and tasks), else none: such a message is refused
   */
  readonly payloadBucket?: string;
  /** Stores the payloads in the payload bucket. @default a client for AWS_ENDPOINT_URL and the region, made on the first payload */
  readonly s3?: S3Client;
  /** Batch calls in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Tries per entry that SNS/SQS failed on their side. @default 3 */
  readonly maxAttempts?: number;
  /** First retry delay in ms, doubling, with full jitter. @default 100 */
  readonly retryBaseMs?: number;
  /**
   * Publish the events of external topics too, to those topics, standing in for their publisher (the test system
   * does, so that a subscriber's tests need not run the publishing service). Off, publishing such an event is
   * refused: only its own service publishes it.
   * @default false
   */
  readonly standInForPublishers?: boolean;
  /**
   * Where `publishMany` and `sendMany` keep the messages that still failed after their retries, with the reason,
   * for `postbox outbox replay`: a `DynamoDbOutboxStore` or a `JsonLinesSendDeadLetter`.
   * @default none: failures are only in the report
   */
  readonly sendDeadLetter?: SendDeadLetter;
  /**
   * What delivers messages published or sent for later (`at`, or a delay past SQS's 15 minutes).
   * @default the local system's in `postbox dev` and `postbox/testing`; else EventBridge Scheduler with the group, role
   * and dead-letter queue MessagingStack `schedules` gives functions and tasks (POSTBOX_SCHEDULE_GROUP, ...)
   */
  readonly scheduler?: MessageScheduler;
}

/** One message of a batch: its type, and data typed by that type's schema. */
export type BatchEntry<T extends AnyTopology, K extends MessageTypeName<T>> = {
  readonly [P in K]: { readonly type: P; readonly data: MessageInput<T, P>; readonly options?: SendOptions };
}[K];

/** One message of an outbox write: an event or a command, and the aggregate key that orders it. */
export type OutboxEntry<T extends AnyTopology, K extends MessageTypeName<T> = MessageTypeName<T>> = BatchEntry<T, K> & {
  /** Messages of one key are relayed in the order written. @default the message id (no order) */
  readonly aggregateKey?: string;
};
