import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { endpointOf } from '../aws/aws-errors.ts';
import { callAws } from '../aws/call-aws.ts';
import { DEAD_LETTER_MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from '../messages/wire-contract.ts';
import { parseTopicArn } from '../topology/naming.ts';
import type { ResolvedExternalTopic, ResolvedQueue, ResolvedTopology } from '../topology/resolve-topology.ts';

/** Where a provisioned queue lives. */
export interface ProvisionedQueue {
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
  readonly deadLetterArn: string;
  /** Queue of messages SNS could not deliver, for subscriber queues. */
  readonly deliveryDeadLetterUrl?: string;
}

/** The addresses of everything a topology was provisioned with, by logical name. */
export interface ProvisionedTopology {
  readonly topicArns: ReadonlyMap<string, string>;
  readonly queues: ReadonlyMap<string, ProvisionedQueue>;
}

/**
 * Creates a topology's topics, queues and subscriptions on an AWS-compatible
 * endpoint (the local emulator, LocalStack) with the same settings the CDK
 * stack deploys: redrive policies, redrive-allow policies, raw delivery,
 * filter policies and subscription dead-letter queues. Safe to run again: it
 * brings existing resources to the declared settings. A queue subscribed to
 * another service's topic is subscribed to that topic at the endpoint.
 */
export async function provisionTopology(topology: ResolvedTopology, clients: { sns: SNSClient; sqs: SQSClient }): Promise<ProvisionedTopology> {
  const topicArns = new Map<string, string>();
  // The errors name the endpoint as the user gave it.
  const endpoint = await endpointOf(clients.sqs);
  for (const topic of topology.topics) {
    const created = await callAws(
      () =>
        clients.sns.send(
          new CreateTopicCommand({
            Name: topic.name,
            Attributes: {
              ...(topic.fifo && { FifoTopic: 'true', ...(topic.contentBasedDeduplication && { ContentBasedDeduplication: 'true' }) }),
              ...(topic.maxMessageSizeBytes !== DEFAULT_MAX_MESSAGE_BYTES && { MaximumMessageSize: String(topic.maxMessageSizeBytes) }),
            },
          }),
        ),
      { topic: topic.name, endpoint },
    );
    topicArns.set(topic.id, created.TopicArn!);
  }
  // Another service's topic at the same endpoint: the one its own provisioning made (several services on one
  // machine), or else a stand-in of that name, so that a service tested alone can be sent its publishers' events.
  for (const topic of topology.externalTopics) {
    const made = () => clients.sns.send(new CreateTopicCommand({ Name: topic.name, Attributes: topic.fifo ? { FifoTopic: 'true' } : {} }));
    topicArns.set(topic.id, await callAws(async () => (await findTopic(clients.sns, topic.name)) ?? (await made()).TopicArn!, { topic: topic.name, endpoint }));
  }
  const queues = new Map<string, ProvisionedQueue>();
  for (const queue of topology.queues) {
    if (queue.subscription?.external && !topicArns.has(queue.subscription.topicId)) {
      const external = topology.externalTopics.find((topic) => topic.id === queue.subscription!.topicId)!;
      topicArns.set(external.id, await callAws(() => externalTopicAtEndpoint(external, clients.sns), { topic: external.name, endpoint }));
    }
    // Each SDK error comes back typed, naming the queue whose resources were being made.
    queues.set(queue.id, await callAws(() => provisionQueue(queue, topicArns, clients), { queue: queue.name, endpoint }));
  }
  return { topicArns, queues };
}

/**
 * The ARN of another service's topic at this endpoint: the topic of that name (an ARN's name: the emulator has one
 * account and region), made if it is not there yet. When the publisher runs beside the subscriber it provisioned the
 * topic first; tested alone, the subscriber gets a stand-in its tests publish the publisher's events to.
 */
async function externalTopicAtEndpoint(topic: ResolvedExternalTopic, sns: SNSClient): Promise<string> {
  const name = topic.arn ? parseTopicArn(topic.arn).name : topic.name;
  // Looked up first: CreateTopic on the publisher's topic with other attributes (content-based deduplication) fails.
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken }));
    const found = page.Topics?.find((candidate) => candidate.TopicArn && parseTopicArn(candidate.TopicArn).name === name);
    if (found) return found.TopicArn!;
    NextToken = page.NextToken;
  } while (NextToken);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name, Attributes: topic.fifo ? { FifoTopic: 'true' } : {} }));
  return TopicArn!;
}

async function provisionQueue(
  queue: ResolvedQueue,
  topicArns: ReadonlyMap<string, string>,
  { sns, sqs }: { sns: SNSClient; sqs: SQSClient },
): Promise<ProvisionedQueue> {
  const deadLetter = await ensureQueue(sqs, queue.deadLetterQueueName, queue.fifo, {
    MessageRetentionPeriod: String(queue.deadLetterRetentionSeconds),
    MaximumMessageSize: String(DEAD_LETTER_MAX_MESSAGE_BYTES),
  });
  const main = await ensureQueue(sqs, queue.name, queue.fifo, {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.retentionSeconds),
    MaximumMessageSize: String(queue.maxMessageSizeBytes),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: queue.redriveReceiveCount }),
  });
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: deadLetter.url,
      Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [main.arn] }) },
    }),
  );
  if (!queue.subscription) return { ...main, deadLetterUrl: deadLetter.url, deadLetterArn: deadLetter.arn };

  const topicArn = topicArns.get(queue.subscription.topicId)!;
  const deliveryDeadLetter = await ensureQueue(sqs, queue.subscription.deliveryDeadLetterQueueName, queue.fifo, {
    MessageRetentionPeriod: String(queue.deadLetterRetentionSeconds),
  });
  for (const target of [main, deliveryDeadLetter]) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: target.url, Attributes: { Policy: snsSendPolicy(target.arn, topicArn) } }));
  }
  const attributes = {
    RawMessageDelivery: 'true',
    FilterPolicy: JSON.stringify(queue.subscription.filterPolicy),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deliveryDeadLetter.arn }),
  };
  const existing = await findSubscription(sns, topicArn, main.arn);
  if (existing) {
    for (const [AttributeName, AttributeValue] of Object.entries(attributes)) {
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: existing, AttributeName, AttributeValue }));
    }
  } else {
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: main.arn, Attributes: attributes, ReturnSubscriptionArn: true }));
  }
  return { ...main, deadLetterUrl: deadLetter.url, deadLetterArn: deadLetter.arn, deliveryDeadLetterUrl: deliveryDeadLetter.url };
}

/** Creates the queue if needed, then sets its attributes (CreateQueue refuses to change an existing queue's). */
async function ensureQueue(sqs: SQSClient, name: string, fifo: boolean, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }));
  const url = created.QueueUrl!;
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: Attributes!.QueueArn! };
}

async function findTopic(sns: SNSClient, name: string): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken }));
    const match = page.Topics?.find((topic) => topic.TopicArn?.endsWith(`:${name}`));
    if (match) return match.TopicArn;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

async function findSubscription(sns: SNSClient, topicArn: string, endpoint: string): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    const match = page.Subscriptions?.find((subscription) => subscription.Endpoint === endpoint && subscription.SubscriptionArn?.startsWith('arn:'));
    if (match) return match.SubscriptionArn;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

/** The queue policy that lets only this topic's SNS deliveries in, the same the CDK stack writes. */
function snsSendPolicy(queueArn: string, topicArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  });
}
