import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { mergeDeadLetterQueueProps, mergeQueueProps } from './cdk-overrides.ts';
import type { SharedQueuePolicy } from './shared-queue-policy.ts';
import { DEAD_LETTER_MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_RETENTION_SECONDS, MAX_RETENTION_SECONDS } from '../messages/wire-contract.ts';
import { TOPOLOGY_DEFAULTS } from '../topology/topology-defaults.ts';

export interface DurableQueueProps {
  /** Physical name of the main queue; FIFO names end with `.fifo`. */
  readonly queueName: string;
  /** Physical name of its dead-letter queue; FIFO names end with `.fifo`. */
  readonly deadLetterQueueName: string;
  /**
   * FIFO queues (the dead-letter queue follows the main queue).
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Visibility timeout of the main queue: long enough to cover the handler.
   * @default Duration.seconds(30)
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives before a message is moved to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Largest message the main queue accepts, in bytes (up to 1 MiB). Its
   * dead-letter queue accepts SQS's largest, 1 MiB, whatever this is.
   * @default 262_144
   */
  readonly maxMessageSizeBytes?: number;
  /**
   * How long the main queue keeps a message.
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long the dead-letter queue keeps a message. SQS keeps a dead-lettered
   * message's original enqueue time, so the longest setting gives operators the
   * most time to redrive.
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;
  /**
   * A policy shared with the handler's other queues, which takes both queues (one resource instead of two).
   * @default each queue its own policy, refusing plain HTTP
   */
  readonly policy?: SharedQueuePolicy;
  /**
   * The CDK's queue props merged over the main queue's; a property Postbox owns (name, encryption, TLS, redrive,
   * what the topology declares) is refused with an OwnedPropertyError.
   * @default none
   */
  readonly queueProps?: Partial<sqs.QueueProps>;
  /**
   * The CDK's queue props merged over the dead-letter queue's, owned properties refused as for `queueProps`.
   * @default none
   */
  readonly deadLetterQueueProps?: Partial<sqs.QueueProps>;
}

/**
 * A main queue and its dead-letter queue, bound by a redrive policy.
 *
 * Both queues are encrypted (SSE-SQS, which SNS can deliver to without a key
 * policy) and refuse plain HTTP. The dead-letter queue's RedriveAllowPolicy
 * names the main queue, so the console's "Start DLQ redrive" works and no other
 * queue can use it as its DLQ.
 */
export class DurableQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: DurableQueueProps) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    this.maxReceiveCount = props.maxReceiveCount ?? TOPOLOGY_DEFAULTS.queue.maxReceiveCount;
    // The main queue's ARN is built from its name: referencing the queue itself
    // would make the two queues depend on each other.
    const mainQueueArn = Stack.of(this).formatArn({ service: 'sqs', resource: props.queueName });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', mergeDeadLetterQueueProps(props.queueName, {
      queueName: props.deadLetterQueueName,
      fifo: fifo || undefined,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: props.policy === undefined,
      retentionPeriod: props.deadLetterRetentionPeriod ?? Duration.seconds(MAX_RETENTION_SECONDS),
      // SQS's largest, whatever the main queue's: the copy Postbox dead-letters itself adds the failure record's attributes.
      maxMessageSizeBytes: DEAD_LETTER_MAX_MESSAGE_BYTES,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'SourceQueueRef', mainQueueArn)],
      },
    }, props.deadLetterQueueProps));
    this.queue = new sqs.Queue(this, 'Queue', mergeQueueProps(props.queueName, {
      queueName: props.queueName,
      fifo: fifo || undefined,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: props.policy === undefined,
      visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(30),
      retentionPeriod: props.retentionPeriod ?? Duration.seconds(DEFAULT_RETENTION_SECONDS),
      maxMessageSizeBytes: props.maxMessageSizeBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    }, props.queueProps));
    props.policy?.addQueue(this.queue);
    props.policy?.addQueue(this.deadLetterQueue);
  }

  /** Lets the grantee receive, delete and change the visibility of messages of the main queue. */
  grantConsumeMessages(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantConsumeMessages(grantee);
  }

  /** Lets the grantee send messages to the main queue. */
  grantSendMessages(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /**
   * Lets the grantee dead-letter a message itself (for failures that retrying
   * cannot fix) and inspect and redrive the dead-letter queue.
   */
  grantDeadLetterAccess(grantee: iam.IGrantable): iam.Grant {
    return this.deadLetterQueue.grant(
      grantee,
      'sqs:SendMessage',
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
    );
  }

  /** Messages waiting in the main queue. */
  metricVisibleMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
  }

  /** Messages received and not yet deleted or returned. */
  metricInFlightMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesNotVisible({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
  }

  /** Age of the oldest message in the main queue, in seconds. */
  metricOldestMessageAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
  }

  /** Messages waiting in the dead-letter queue. */
  metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
  }
}
