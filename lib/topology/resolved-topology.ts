import type { FilterPolicy } from './filter-policy.ts';
import type { BackoffSettings, Handler, MessageType } from './topology-schema.ts';

/** The resolved form of a topology, which resolveTopology makes and everything downstream reads. */

/** An SNS topic with its physical name. */
export interface ResolvedTopic {
  readonly id: string;
  readonly name: string;
  readonly fifo: boolean;
  /** SNS deduplicates publishes without a deduplication id by their body (FIFO only). */
  readonly contentBasedDeduplication: boolean;
  /** FIFO only: SNS's `FifoThroughputScope`; absent leaves SNS's default (`Topic`). */
  readonly fifoThroughputScope?: 'Topic' | 'MessageGroup';
  /** Largest message the topic accepts (SNS's `MaximumMessageSize`). */
  readonly maxMessageSizeBytes: number;
  readonly events: readonly string[];
  /** Accounts and organizations allowed to subscribe from another account. */
  readonly allowSubscribers: readonly string[];
}

/** Another service's topic that this service subscribes to. */
export interface ResolvedExternalTopic {
  readonly id: string;
  /** The publishing service's app name; unknown when the topic is declared by ARN. */
  readonly service: string | undefined;
  /** The physical topic name, `<service>-<stage>-<topic>[.fifo]`, or the ARN's. */
  readonly name: string;
  /** The ARN when declared by ARN; otherwise made where it is used, with {@link externalTopicArn}. */
  readonly arn: string | undefined;
  readonly fifo: boolean;
  /** The event types this service consumes from it. */
  readonly events: readonly string[];
}

/** How a subscriber's queue is subscribed to its topic. */
export interface ResolvedSubscription {
  /** An own topic's id, or an external topic's when `external`. */
  readonly topicId: string;
  readonly external: boolean;
  readonly filterPolicy: FilterPolicy;
  /** Queue for messages SNS could not deliver to the subscriber's queue. */
  readonly deliveryDeadLetterQueueName: string;
}

/** How a queue's handlers run once per message (see `idempotency` of a subscriber or command handler). */
export interface ResolvedIdempotency {
  /** Seconds a handled message's record is kept. */
  readonly lifetimeSeconds: number;
  /** Seconds an attempt holds its message's record while it runs: the handler's time limit, so a crashed one frees it. */
  readonly leaseSeconds: number;
}

/** A main queue with its dead-letter queue, and the handler that consumes it. */
export interface ResolvedQueue {
  /** Logical name: the subscriber's name, or the command queue id (`invoice-generate`). */
  readonly id: string;
  readonly role: 'subscriber' | 'command';
  readonly name: string;
  readonly deadLetterQueueName: string;
  readonly fifo: boolean;
  /** Message types that arrive on this queue. */
  readonly messageTypes: readonly string[];
  readonly handler: Handler;
  readonly visibilityTimeoutSeconds: number;
  /** Attempts Postbox makes; the last failed one dead-letters the message with its reason. */
  readonly maxReceiveCount: number;
  /**
   * The redrive policy's maxReceiveCount: one receive past the last attempt,
   * so that a message whose last attempt ended without a result (a crash, a
   * time-out) is still dead-lettered by Postbox, with a reason; the redrive
   * policy moves only a message that brings its consumer down even then.
   */
  readonly redriveReceiveCount: number;
  readonly retentionSeconds: number;
  readonly deadLetterRetentionSeconds: number;
  readonly backoff: BackoffSettings;
  readonly maxMessageSizeBytes: number;
  readonly subscription?: ResolvedSubscription;
  /** The stack group the subscriber or command handler names; absent: its name's hash bucket (see MessagingStack `stackGroups`). */
  readonly stackGroup?: string;
  /** Absent unless the queue's handlers run once per message. */
  readonly idempotency?: ResolvedIdempotency;
}

/** A validated topology for one stage: every default applied, every physical name known. */
export interface ResolvedTopology {
  readonly app: string;
  readonly stage: string;
  /** `<app>-<stage>`: the start of every resource name. */
  readonly prefix: string;
  readonly events: Readonly<Record<string, MessageType>>;
  readonly commands: Readonly<Record<string, MessageType>>;
  readonly topics: readonly ResolvedTopic[];
  readonly externalTopics: readonly ResolvedExternalTopic[];
  readonly queues: readonly ResolvedQueue[];
}
