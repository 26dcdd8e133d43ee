import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { mergeTopicProps } from './cdk-overrides.ts';

export interface EventTopicProps {
  /** Physical name of the topic; FIFO names end with `.fifo`. */
  readonly topicName: string;
  /**
   * A FIFO topic: ordered per message group and deduplicated.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * FIFO topics only: SNS deduplicates a publish without a deduplication id by a hash of its body.
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * FIFO topics only: SNS's `FifoThroughputScope`. `'MessageGroup'` (high throughput) deduplicates within each message
   * group only and takes the regional quota; SNS does not let a topic go back from it to `'Topic'`.
   * @default SNS's default, `'Topic'` (the attribute is left out)
   */
  readonly fifoThroughputScope?: 'Topic' | 'MessageGroup';
  /**
   * Largest message the topic accepts, in bytes (`MaximumMessageSize`, 1,024 to 1,048,576). Above 256 KiB SNS takes
   * at most 100 subscriptions, of SQS, Lambda and Firehose only.
   * @default 262144 (SNS's default; the property is left out)
   */
  readonly maxMessageSizeBytes?: number;
  /**
   * KMS key that encrypts the topic's messages at rest. Share one key between
   * the topics of an application to keep key costs flat.
   * @default a new customer-managed key with yearly rotation
   */
  readonly masterKey?: kms.IKey;
  /**
   * Accounts (12 digits) and AWS Organizations (`o-…`) whose SQS queues may subscribe from another account: the
   * topic policy allows them `sns:Subscribe` with protocol `sqs` only.
   * @default none: subscribers of this account only
   */
  readonly allowSubscribers?: readonly string[];
  /**
   * The CDK's topic props merged over Postbox's; a property Postbox owns (name, FIFO settings, key, TLS) is refused
   * with an OwnedPropertyError.
   * @default none
   */
  readonly topicProps?: Partial<sns.TopicProps>;
}

/** SNS's `MaximumMessageSize` of a topic that sets none: 256 KiB. */
const SNS_DEFAULT_MAX_MESSAGE_BYTES = 262_144;

/**
 * An SNS topic that carries integration events: encrypted with KMS, with a
 * topic policy that refuses publishing over plain HTTP and lets the accounts
 * and organizations of `allowSubscribers` subscribe their SQS queues.
 */
export class EventTopic extends Construct {
  readonly topic: sns.Topic;
  readonly masterKey: kms.IKey;

  constructor(scope: Construct, id: string, props: EventTopicProps) {
    super(scope, id);
    this.masterKey = props.masterKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `Encrypts SNS topic ${props.topicName}` });
    this.topic = new sns.Topic(this, 'Topic', mergeTopicProps(props.topicName, {
      topicName: props.topicName,
      fifo: props.fifo ?? false,
      ...(props.contentBasedDeduplication && { contentBasedDeduplication: true }),
      ...(props.fifoThroughputScope && { fifoThroughputScope: props.fifoThroughputScope === 'MessageGroup' ? sns.FifoThroughputScope.MESSAGE_GROUP : sns.FifoThroughputScope.TOPIC }),
      masterKey: this.masterKey,
      enforceSSL: true,
    }, props.topicProps));
    if (props.maxMessageSizeBytes !== undefined && props.maxMessageSizeBytes !== SNS_DEFAULT_MAX_MESSAGE_BYTES) {
      (this.topic.node.defaultChild as sns.CfnTopic).maximumMessageSize = props.maxMessageSizeBytes;
    }
    const subscribers = props.allowSubscribers ?? [];
    const accounts = subscribers.filter((principal) => !principal.startsWith('o-'));
    const organizations = subscribers.filter((principal) => principal.startsWith('o-'));
    const sqsOnly = { StringEquals: { 'sns:Protocol': 'sqs' } };
    if (accounts.length > 0) {
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowSubscribersOfOtherAccounts',
          principals: accounts.map((account) => new iam.AccountPrincipal(account)),
          actions: ['sns:Subscribe'],
          resources: [this.topic.topicArn],
          conditions: sqsOnly,
        }),
      );
    }
    if (organizations.length > 0) {
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowSubscribersOfOrganizations',
          principals: [new iam.AnyPrincipal()],
          actions: ['sns:Subscribe'],
          resources: [this.topic.topicArn],
          conditions: { ...sqsOnly, StringEquals: { ...sqsOnly.StringEquals, 'aws:PrincipalOrgID': organizations } },
        }),
      );
    }
    if (subscribers.length > 0) {
      // SNS decrypts the topic's messages with its key to deliver them, to other accounts' queues too (SSE-SQS
      // queues need no key of theirs): only on behalf of this topic.
      this.masterKey.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          // Made from the name, not the topic's Ref: the topic depends on its key already.
          conditions: { ArnEquals: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'sns', resource: props.topicName }) } },
        }),
      );
    }
  }

  /** Lets the grantee publish, including use of the topic's key. */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }

  /** Messages SNS failed to deliver to a subscriber (after its own retries). */
  metricNumberOfNotificationsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /**
   * Publishes that every subscription's filter dropped because they carried no message attributes at all: a
   * producer that left out the `type` attribute (a CloudEvent sent with a plain SNS `Publish`) reaches no one.
   *
   * Postbox does not route such publishes by their body's `type` instead: a second, body-scoped subscription per
   * queue would deliver every message Postbox publishes twice. It makes the drop visible: MessagingMonitoring
   * alarms on this metric and graphs it on the dashboard.
   */
  metricNumberOfNotificationsFilteredOutNoMessageAttributes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metric('NumberOfNotificationsFilteredOut-NoMessageAttributes', { period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** Messages published to the topic. */
  metricNumberOfMessagesPublished(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metricNumberOfMessagesPublished({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }
}
