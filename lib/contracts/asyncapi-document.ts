import { dataSchemaUriOf } from '../messages/data-schema-uri.ts';
import type { MessageKind } from '../messages/envelope.ts';
import { MESSAGE_TYPE_ATTRIBUTE } from '../messages/wire-contract.ts';
import type { ResolvedQueue, ResolvedTopology } from '../topology/resolved-topology.ts';
import { asyncApiMessage } from './asyncapi-message.ts';

/** An AsyncAPI 3.0 document, as plain JSON data. */
export interface AsyncApiDocument {
  readonly asyncapi: '3.0.0';
  readonly id: string;
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly defaultContentType: string;
  readonly servers: Record<string, unknown>;
  readonly channels: Record<string, unknown>;
  readonly operations: Record<string, unknown>;
  readonly components: { readonly messages: Record<string, unknown> };
}

export interface AsyncApiOptions {
  /** The service's own version (its package.json's), the document's `info.version`. */
  readonly version: string;
}


/** Bindings versions that @asyncapi/parser's AsyncAPI 3.0 schemas know. */
const SNS_BINDING = '0.1.0';
const SQS_BINDING = '0.2.0';

/**
 * The AsyncAPI 3.0 document of one service at one stage: its SNS topics and
 * SQS queues as channels, what it sends (events to its topics, commands to
 * its queues) and receives (on its queues, from its own and external topics)
 * as operations, with SNS and SQS bindings (subscriptions, filter policies,
 * redrive policies), and each message with its JSON Schemas.
 *
 * @throws SchemaExportError when a message's schema cannot be written as JSON Schema
 */
export function asyncApiDocument(topology: ResolvedTopology, options: AsyncApiOptions): AsyncApiDocument {
  const externalTopics = topology.externalTopics;
  const messages: Record<string, unknown> = {};
  const message = (type: string) => {
    const kind: MessageKind = type in topology.commands ? 'command' : 'event';
    const declared = (kind === 'command' ? topology.commands : topology.events)[type]!;
    messages[type] ??= asyncApiMessage({ type, kind, declared, dataSchema: dataSchemaUriOf(topology, type) });
    return { $ref: `#/components/messages/${type}` };
  };
  const channelMessages = (types: readonly string[]) => Object.fromEntries(types.map((type) => [type, message(type)]));
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const operation = (action: 'send' | 'receive', channelId: string, types: readonly string[], details: Record<string, unknown>) => {
    operations[`${action}.${channelId}`] = {
      action,
      channel: { $ref: `#/channels/${channelId}` },
      messages: types.map((type) => ({ $ref: `#/channels/${channelId}/messages/${type}` })),
      ...details,
    };
  };
  const subscribersOf = (topicId: string) => topology.queues.filter((queue) => queue.subscription?.topicId === topicId);

  for (const topic of topology.topics) {
    const id = `topic.${topic.id}`;
    channels[id] = {
      address: topic.name,
      title: `topic ${topic.id}`,
      description: `SNS topic ${topic.name}${topic.fifo ? ' (FIFO)' : ''} of ${topology.app}: the events it publishes.`,
      servers: [{ $ref: '#/servers/sns' }],
      messages: channelMessages(topic.events),
      bindings: { sns: { name: topic.name, ordering: ordering(topic), ...topicPolicy(topic.allowSubscribers), bindingVersion: SNS_BINDING } },
    };
    operation('send', id, topic.events, {
      summary: `${topology.app} publishes ${topic.events.join(', ')}.`,
      ...subscriptionBindings(subscribersOf(topic.id)),
    });
  }
  for (const topic of externalTopics) {
    const id = `topic.${topic.id}`;
    const publisher = topic.service === undefined ? 'another service' : `service ${topic.service}`;
    channels[id] = {
      address: topic.name,
      title: `external topic ${topic.id}`,
      description: `SNS topic ${topic.arn ?? topic.name} of ${publisher}, which ${topology.app} subscribes to.`,
      servers: [{ $ref: '#/servers/sns' }],
      messages: channelMessages(topic.events),
      bindings: { sns: { name: topic.name, ordering: ordering(topic), bindingVersion: SNS_BINDING } },
    };
    operation('receive', id, topic.events, { summary: `${topology.app} subscribes its queues to ${publisher}'s topic.`, ...subscriptionBindings(subscribersOf(topic.id)) });
  }
  for (const queue of topology.queues) {
    const id = `queue.${queue.id}`;
    channels[id] = {
      address: queue.name,
      title: `queue ${queue.id}`,
      description: queueDescription(queue),
      servers: [{ $ref: '#/servers/sqs' }],
      messages: channelMessages(queue.messageTypes),
      bindings: { sqs: queueBindings(queue) },
    };
    operation('receive', id, queue.messageTypes, { summary: `${topology.app} handles ${queue.messageTypes.join(', ')} (${queue.handler.kind} handler).` });
    if (queue.role === 'command') operation('send', id, queue.messageTypes, { summary: `${topology.app} sends ${queue.messageTypes.join(', ')}.` });
  }

  return {
    asyncapi: '3.0.0',
    id: `urn:postbox:${topology.app}`,
    info: {
      title: topology.app,
      version: options.version,
      description:
        `The messages of ${topology.app} at stage ${topology.stage}, as Postbox sends and receives them. Every body is JSON: ` +
        `a CloudEvents 1.0 envelope whose dataschema names the JSON Schema of its data, or the data alone. Every message carries ` +
        `the String message attribute \`${MESSAGE_TYPE_ATTRIBUTE}\`, by which subscriptions filter: a publish without it reaches no queue.`,
    },
    defaultContentType: 'application/json',
    servers: {
      sns: awsServer('sns', 'Amazon SNS: the topics.'),
      sqs: awsServer('sqs', 'Amazon SQS: the queues.'),
    },
    channels,
    operations,
    components: { messages },
  };
}

function awsServer(protocol: 'sns' | 'sqs', description: string) {
  return {
    host: `${protocol}.{region}.amazonaws.com`,
    protocol,
    description,
    variables: { region: { description: "The stack's AWS region.", examples: ['us-east-1', 'eu-west-1'] } },
  };
}

function ordering(topic: { readonly fifo: boolean; readonly contentBasedDeduplication?: boolean }) {
  return topic.fifo ? { type: 'FIFO', contentBasedDeduplication: topic.contentBasedDeduplication ?? false } : { type: 'standard' };
}

/** Who may subscribe from other accounts: the accounts and organizations of `allowSubscribers`, SQS queues only. */
function topicPolicy(allowSubscribers: readonly string[]) {
  if (allowSubscribers.length === 0) return {};
  const organizations = allowSubscribers.filter((principal) => principal.startsWith('o-'));
  const accounts = allowSubscribers.filter((principal) => !principal.startsWith('o-'));
  const sqsOnly = { StringEquals: { 'sns:Protocol': 'sqs' } };
  return {
    policy: {
      statements: [
        // Binding 0.1.0 takes one account (or ARN) per statement.
        ...accounts.map((account) => ({ effect: 'Allow', principal: account, action: 'sns:Subscribe', condition: sqsOnly })),
        ...(organizations.length > 0
          ? [{ effect: 'Allow', principal: '*', action: 'sns:Subscribe', condition: { StringEquals: { ...sqsOnly.StringEquals, 'aws:PrincipalOrgID': organizations } } }]
          : []),
      ],
    },
  };
}

/** The SNS subscriptions of a topic's subscriber queues: raw delivery, the `type` filter, the delivery DLQ. */
function subscriptionBindings(queues: readonly ResolvedQueue[]) {
  if (queues.length === 0) return {};
  const consumers = queues.map((queue) => ({
    protocol: 'sqs',
    endpoint: { name: queue.name },
    filterPolicy: queue.subscription!.filterPolicy,
    filterPolicyScope: 'MessageAttributes',
    rawMessageDelivery: true,
    redrivePolicy: { deadLetterQueue: { name: queue.subscription!.deliveryDeadLetterQueueName } },
  }));
  return { bindings: { sns: { consumers, bindingVersion: SNS_BINDING } } };
}

function queueBindings(queue: ResolvedQueue) {
  return {
    queue: {
      name: queue.name,
      fifoQueue: queue.fifo,
      visibilityTimeout: queue.visibilityTimeoutSeconds,
      messageRetentionPeriod: queue.retentionSeconds,
      redrivePolicy: { deadLetterQueue: { name: queue.deadLetterQueueName }, maxReceiveCount: queue.redriveReceiveCount },
    },
    deadLetterQueue: { name: queue.deadLetterQueueName, fifoQueue: queue.fifo, messageRetentionPeriod: queue.deadLetterRetentionSeconds },
    bindingVersion: SQS_BINDING,
  };
}

function queueDescription(queue: ResolvedQueue): string {
  const handled = `handled by ${{ lambda: 'a Lambda function', worker: 'a worker', http: `a worker that POSTs it to ${queue.handler.kind === 'http' ? queue.handler.url : ''}` }[queue.handler.kind]}, ${queue.maxReceiveCount} attempts, then ${queue.deadLetterQueueName}`;
  if (queue.role === 'command') return `SQS queue ${queue.name} of the command ${queue.messageTypes[0]}: ${handled}.`;
  return `SQS queue ${queue.name} of subscriber ${queue.id}, subscribed to topic ${queue.subscription!.topicId} for ${queue.messageTypes.join(', ')}: ${handled}.`;
}
