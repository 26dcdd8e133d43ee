import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_RETENTION_SECONDS } from '../messages/wire-contract.ts';
import type { FilterPolicy } from '../topology/filter-policy.ts';

export interface EventSubscriptionProps {
  /** Topic to subscribe to. */
  readonly topic: sns.ITopic;
  /** Queue that receives the events. */
  readonly queue: sqs.IQueue;
  /** Filter policy on message attributes, as derived from the event types the subscriber wants. */
  readonly filterPolicy: FilterPolicy;
  /** Physical name of the queue that keeps messages SNS could not deliver. */
  readonly deliveryDeadLetterQueueName: string;
  /**
   * FIFO topic and queues.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Deliver the message body as published, without SNS's JSON wrapper.
   * @default true
   */
  readonly rawMessageDelivery?: boolean;
}

/**
 * Subscribes a queue to an event topic: raw delivery, a filter policy on the
 * message type, and a dead-letter queue for messages SNS could not deliver
 * (a deleted queue, a denied policy), which would otherwise be lost.
 */
export class EventSubscription extends Construct {
  readonly subscription: sns.Subscription;
  readonly deliveryDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventSubscriptionProps) {
    super(scope, id);
    this.deliveryDeadLetterQueue = new sqs.Queue(this, 'DeliveryDeadLetterQueue', {
      queueName: props.deliveryDeadLetterQueueName,
      fifo: props.fifo || undefined,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(MAX_RETENTION_SECONDS),
    });
    Validations.of(this.deliveryDeadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: "It is a dead-letter queue: the SNS subscription's, which cdk-nag does not recognise as it only follows SQS redrive policies.",
    });
    const filterPolicy = Object.fromEntries(
      Object.entries(props.filterPolicy).map(([attribute, values]) => [
        attribute,
        sns.SubscriptionFilter.stringFilter({ allowlist: values }),
      ]),
    );
    this.subscription = props.topic.addSubscription(
      new snsSubscriptions.SqsSubscription(props.queue, {
        rawMessageDelivery: props.rawMessageDelivery ?? true,
        filterPolicy,
        deadLetterQueue: this.deliveryDeadLetterQueue,
      }),
    );
    // CDK lets `sns.amazonaws.com` fill the delivery DLQ; SNS in an opt-in region (or delivering into one) acts as
    // `sns.<region>.amazonaws.com`, and a policy without it drops what could not be delivered, silently. The main
    // queue's policy, which SqsSubscription writes, already names the regional principal.
    const principal = regionalSnsPrincipal(props.topic, this);
    if (principal) {
      this.deliveryDeadLetterQueue.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [iam.ServicePrincipal.fromStaticServicePrincipleName(principal)],
          actions: ['sqs:SendMessage'],
          resources: [this.deliveryDeadLetterQueue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': props.topic.topicArn } },
        }),
      );
    }
  }
}

/** The regional SNS principal when the topic's region or the subscriber's is an opt-in region other than the other's. */
function regionalSnsPrincipal(topic: sns.ITopic, subscriber: Construct): string | undefined {
  const stack = Stack.of(subscriber);
  if (Token.isUnresolved(topic.topicArn) || Token.isUnresolved(stack.region)) return undefined;
  const topicRegion = stack.splitArn(topic.topicArn, ArnFormat.SLASH_RESOURCE_NAME).region;
  if (!topicRegion || topicRegion === stack.region) return undefined;
  if (RegionInfo.get(stack.region).isOptInRegion) return `sns.${stack.region}.amazonaws.com`;
  return RegionInfo.get(topicRegion).isOptInRegion ? `sns.${topicRegion}.amazonaws.com` : undefined;
}
