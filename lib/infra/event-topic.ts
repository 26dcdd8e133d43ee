import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

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
   * KMS key that encrypts the topic's messages at rest. Share one key between
   * the topics of an application to keep key costs flat.
   * @default a new customer-managed key with yearly rotation
   */
  readonly masterKey?: kms.IKey;
}

/**
 * An SNS topic that carries integration events: encrypted with KMS, and with a
 * topic policy that refuses publishing over plain HTTP.
 */
export class EventTopic extends Construct {
  readonly topic: sns.Topic;
  readonly masterKey: kms.IKey;

  constructor(scope: Construct, id: string, props: EventTopicProps) {
    super(scope, id);
    this.masterKey = props.masterKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `Encrypts SNS topic ${props.topicName}` });
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      fifo: props.fifo ?? false,
      ...(props.contentBasedDeduplication && { contentBasedDeduplication: true }),
      masterKey: this.masterKey,
      enforceSSL: true,
    });
  }

  /** Lets the grantee publish, including use of the topic's key. */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }

  /** Messages SNS failed to deliver to a subscriber (after its own retries). */
  metricNumberOfNotificationsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** Messages published to the topic. */
  metricNumberOfMessagesPublished(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metricNumberOfMessagesPublished({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }
}
