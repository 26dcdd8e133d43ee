import { Arn, ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_RETENTION_SECONDS } from '../messages/wire-contract.ts';
import type { FilterPolicy } from '../topology/filter-policy.ts';
import type { SharedQueuePolicy } from './shared-queue-policy.ts';
import { snsDeliveryPrincipals } from './sns-delivery-principals.ts';

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
  /**
   * The policy of the handler's queues, which then takes the delivery dead-letter queue too and holds the one
   * statement that lets the topic deliver to both (see SharedQueuePolicy); `queue` must be a reference without a
   * policy of its own then (`sqs.Queue.fromQueueAttributes`).
   * @default CDK's policy per queue, each with its own delivery statement
   */
  readonly policy?: SharedQueuePolicy;
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
      enforceSSL: props.policy === undefined,
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
    // CDK's policies name `sns.amazonaws.com` for the delivery DLQ, and for the queue a regional principal only in
    // the regions its table knows; across regions with an opt-in one SNS delivers as `sns.<region>.amazonaws.com`
    // and drops, silently, what a policy without it refuses. Each queue names every principal SNS may use here.
    const queueRegion = Stack.of(props.queue).region;
    const topicRegion = regionOfTopic(props.topic);
    const principals = topicRegion === undefined ? ['sns.amazonaws.com'] : snsDeliveryPrincipals(topicRegion, Token.isUnresolved(queueRegion) ? undefined : queueRegion);
    const deliveryStatement = (resources: string[]) =>
      new iam.PolicyStatement({
        principals: principals.map((principal) => iam.ServicePrincipal.fromStaticServicePrincipleName(principal)),
        actions: ['sqs:SendMessage'],
        resources,
        conditions: { ArnEquals: { 'aws:SourceArn': props.topic.topicArn } },
      });
    if (props.policy) {
      // A reference: the real queue's policy is the shared one, not one CDK would add for the subscription.
      const deliveryDeadLetters = sqs.Queue.fromQueueAttributes(this, 'DeliveryDeadLetterQueueRef', {
        queueArn: this.deliveryDeadLetterQueue.queueArn,
        queueUrl: this.deliveryDeadLetterQueue.queueUrl,
        fifo: props.fifo ?? false,
      });
      props.policy.addQueue(this.deliveryDeadLetterQueue);
      props.policy.addStatement(deliveryStatement([props.queue.queueArn, this.deliveryDeadLetterQueue.queueArn]));
      this.subscription = this.subscribe(props, filterPolicy, deliveryDeadLetters);
      this.subscription.node.addDependency(props.policy);
      return;
    }
    this.subscription = this.subscribe(props, filterPolicy, this.deliveryDeadLetterQueue);
    if (topicRegion !== undefined) {
      for (const queue of [props.queue, this.deliveryDeadLetterQueue]) queue.addToResourcePolicy(deliveryStatement([queue.queueArn]));
    }
  }

  private subscribe(props: EventSubscriptionProps, filterPolicy: Record<string, sns.SubscriptionFilter>, deadLetterQueue: sqs.IQueue): sns.Subscription {
    return props.topic.addSubscription(
      new snsSubscriptions.SqsSubscription(props.queue, { rawMessageDelivery: props.rawMessageDelivery ?? true, filterPolicy, deadLetterQueue }),
    );
  }
}

/** The region of a topic given by ARN (another service's); `undefined` for a topic of this app, whose ARN is a token. */
function regionOfTopic(topic: sns.ITopic): string | undefined {
  if (Token.isUnresolved(topic.topicArn)) return undefined;
  const { region } = Arn.split(topic.topicArn, ArnFormat.SLASH_RESOURCE_NAME);
  return region && !Token.isUnresolved(region) ? region : undefined;
}
