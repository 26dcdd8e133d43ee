import type { z } from 'zod';
import { filterPolicyFor, type FilterPolicy } from './filter-policy.ts';
import {
  commandQueueId,
  MAX_QUEUE_NAME_LENGTH,
  MAX_TOPIC_NAME_LENGTH,
  physicalName,
  resourcePrefix,
} from './naming.ts';
import {
  MAX_RETENTION_SECONDS,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  messageTypeNamePattern,
  resourceNamePattern,
  topologySchema,
  type BackoffSettings,
  type Handler,
  type MessageType,
  type NormalizedTopology,
  type QueueSettings,
  type TopologyDeclaration,
} from './topology-declaration.ts';
import { TopologyError } from './topology-error.ts';

/** An SNS topic with its physical name. */
export interface ResolvedTopic {
  readonly id: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly events: readonly string[];
}

/** How a subscriber's queue is subscribed to its topic. */
export interface ResolvedSubscription {
  readonly topicId: string;
  readonly filterPolicy: FilterPolicy;
  /** Queue for messages SNS could not deliver to the subscriber's queue. */
  readonly deliveryDeadLetterQueueName: string;
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
  readonly maxReceiveCount: number;
  readonly retentionSeconds: number;
  readonly deadLetterRetentionSeconds: number;
  readonly backoff: BackoffSettings;
  readonly maxMessageSizeBytes: number;
  readonly subscription?: ResolvedSubscription;
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
  readonly queues: readonly ResolvedQueue[];
}

export interface ResolveOptions {
  /** Environment such as `dev` or `prod`; part of every name. */
  readonly stage: string;
}

/**
 * Validates a topology declaration for one stage and resolves it into the
 * resources it needs. Every problem found is collected and thrown at once as a
 * {@link TopologyError}, so a user fixes a declaration in one round.
 */
export function resolveTopology(declaration: TopologyDeclaration<any, any, any>, options: ResolveOptions): ResolvedTopology {
  const app = typeof declaration?.app === 'string' ? declaration.app : '(unnamed)';
  const parsed = topologySchema.safeParse(declaration);
  if (!parsed.success) {
    throw new TopologyError(app, parsed.error.issues.map(describeIssue));
  }
  const problems: string[] = [];
  if (!resourceNamePattern.test(options.stage)) {
    problems.push(`stage '${options.stage}' must use lower-case letters, digits and hyphens, starting with a letter`);
  }
  const topology = parsed.data;
  checkMessageTypes(topology, problems);
  checkTopics(topology, problems);

  const prefix = resourcePrefix(topology.app, options.stage);
  const topics = Object.entries(topology.topics).map(([id, topic]) => ({
    id,
    name: physicalName(prefix, id, topic.fifo),
    fifo: topic.fifo,
    events: topic.events,
  }));
  const queues = [
    ...Object.entries(topology.subscribers).map(([id, subscriber]) => {
      const topic = topology.topics[subscriber.topic];
      checkSubscriber(id, subscriber, topology, problems);
      const fifo = topic?.fifo ?? false;
      return resolveQueue(prefix, id, 'subscriber', subscriber.events, subscriber.handler, subscriber.queue, fifo, {
        topicId: subscriber.topic,
        filterPolicy: filterPolicyFor(subscriber.events),
        deliveryDeadLetterQueueName: physicalName(prefix, `${id}-delivery-dlq`, fifo),
      });
    }),
    ...Object.entries(topology.commandHandlers).map(([commandType, commandHandler]) => {
      if (!(commandType in topology.commands)) {
        problems.push(`command handler '${commandType}' handles an unknown command type; declare it under commands`);
      }
      const fifo = commandHandler.queue.fifo ?? false;
      return resolveQueue(prefix, commandQueueId(commandType), 'command', [commandType], commandHandler.handler, commandHandler.queue, fifo);
    }),
  ];
  for (const commandType of Object.keys(topology.commands)) {
    if (!(commandType in topology.commandHandlers)) {
      problems.push(`command '${commandType}' has no handler; add one under commandHandlers`);
    }
  }
  for (const queue of queues) checkQueue(queue, problems);
  checkNames(topics, queues, problems);

  if (problems.length > 0) throw new TopologyError(topology.app, problems);
  return { app: topology.app, stage: options.stage, prefix, events: topology.events, commands: topology.commands, topics, queues };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'topology';
  return `${where}: ${issue.message}`;
}

function checkMessageTypes(topology: NormalizedTopology, problems: string[]): void {
  for (const [kind, types] of [['event', topology.events], ['command', topology.commands]] as const) {
    for (const type of Object.keys(types)) {
      if (!messageTypeNamePattern.test(type)) {
        problems.push(`${kind} type '${type}' must be lower-case words joined by '.', '-' or '_' (such as 'order.placed')`);
      }
    }
  }
  for (const type of Object.keys(topology.commands)) {
    if (type in topology.events) {
      problems.push(`'${type}' is declared both as an event and as a command; a message type has one kind`);
    }
  }
}

function checkTopics(topology: NormalizedTopology, problems: string[]): void {
  const topicOfEvent = new Map<string, string>();
  for (const [id, topic] of Object.entries(topology.topics)) {
    if (!resourceNamePattern.test(id)) {
      problems.push(`topic name '${id}' must use lower-case letters, digits and hyphens, starting with a letter`);
    }
    for (const event of topic.events) {
      if (!(event in topology.events)) {
        problems.push(`topic '${id}' carries unknown event type '${event}'; declare it under events`);
        continue;
      }
      const other = topicOfEvent.get(event);
      if (other !== undefined) {
        problems.push(`event type '${event}' is carried by topic '${other}' and again by '${id}'; each event has one topic`);
      } else {
        topicOfEvent.set(event, id);
      }
    }
  }
  for (const event of Object.keys(topology.events)) {
    if (!topicOfEvent.has(event)) {
      problems.push(`event type '${event}' is carried by no topic, so it cannot be published; add it to a topic's events`);
    }
  }
}

function checkSubscriber(
  id: string,
  subscriber: NormalizedTopology['subscribers'][string],
  topology: NormalizedTopology,
  problems: string[],
): void {
  if (!resourceNamePattern.test(id)) {
    problems.push(`subscriber name '${id}' must use lower-case letters, digits and hyphens, starting with a letter`);
  }
  const topic = topology.topics[subscriber.topic];
  if (topic === undefined) {
    problems.push(`subscriber '${id}' listens to unknown topic '${subscriber.topic}'`);
    return;
  }
  const seen = new Set<string>();
  for (const event of subscriber.events) {
    if (seen.has(event)) problems.push(`subscriber '${id}' names event type '${event}' twice`);
    seen.add(event);
    if (!(event in topology.events)) {
      problems.push(`subscriber '${id}' wants unknown event type '${event}'`);
    } else if (!topic.events.includes(event)) {
      problems.push(`subscriber '${id}' wants '${event}', which topic '${subscriber.topic}' does not carry`);
    }
  }
  if (subscriber.queue.fifo !== undefined && subscriber.queue.fifo !== topic.fifo) {
    problems.push(
      `subscriber '${id}' has a ${subscriber.queue.fifo ? 'FIFO' : 'standard'} queue but topic '${subscriber.topic}' is ` +
        `${topic.fifo ? 'FIFO' : 'standard'}; a subscriber's queue is FIFO exactly when its topic is`,
    );
  }
}

function resolveQueue(
  prefix: string,
  id: string,
  role: ResolvedQueue['role'],
  messageTypes: readonly string[],
  handler: Handler,
  settings: QueueSettings,
  fifo: boolean,
  subscription?: ResolvedSubscription,
): ResolvedQueue {
  return {
    id,
    role,
    name: physicalName(prefix, id, fifo),
    deadLetterQueueName: physicalName(prefix, `${id}-dlq`, fifo),
    fifo,
    messageTypes,
    handler,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds ?? defaultVisibilityTimeout(handler),
    maxReceiveCount: settings.maxReceiveCount,
    retentionSeconds: settings.retentionSeconds,
    deadLetterRetentionSeconds: MAX_RETENTION_SECONDS,
    backoff: settings.backoff,
    maxMessageSizeBytes: settings.maxMessageSizeBytes,
    ...(subscription && { subscription }),
  };
}

/**
 * AWS advises a visibility timeout of six times the function timeout plus the
 * batching window, so that retries of a throttled batch do not redeliver
 * messages still being processed. A worker extends visibility while a task
 * runs, so its queue needs only the task timeout, within SQS's 12-hour limit.
 */
export function defaultVisibilityTimeout(handler: Handler): number {
  if (handler.kind === 'lambda') return 6 * handler.timeoutSeconds + handler.maxBatchingWindowSeconds;
  return Math.min(handler.timeoutSeconds, MAX_VISIBILITY_TIMEOUT_SECONDS);
}

function describeQueue(queue: ResolvedQueue): string {
  return queue.role === 'subscriber' ? `subscriber '${queue.id}'` : `command handler of '${queue.messageTypes[0]}'`;
}

function checkQueue(queue: ResolvedQueue, problems: string[]): void {
  const what = describeQueue(queue);
  const { handler, backoff } = queue;
  if (queue.visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(
      `${what}: visibility timeout ${queue.visibilityTimeoutSeconds} s exceeds the SQS maximum of ${MAX_VISIBILITY_TIMEOUT_SECONDS} s; lower the handler timeout`,
    );
  }
  if (handler.kind === 'lambda' && queue.visibilityTimeoutSeconds < handler.timeoutSeconds) {
    problems.push(
      `${what}: visibility timeout ${queue.visibilityTimeoutSeconds} s cannot cover the handler timeout of ${handler.timeoutSeconds} s; ` +
        `use at least ${handler.timeoutSeconds} s (AWS advises ${defaultVisibilityTimeout(handler)} s) or omit it to derive it`,
    );
  }
  if (handler.kind === 'lambda' && queue.fifo) {
    if (handler.batchSize > 10) problems.push(`${what}: a FIFO queue's Lambda batch size is at most 10, not ${handler.batchSize}`);
    if (handler.maxBatchingWindowSeconds > 0) problems.push(`${what}: a FIFO queue's Lambda event source has no batching window; remove maxBatchingWindowSeconds`);
  }
  if (handler.kind === 'lambda' && !queue.fifo && handler.batchSize > 10 && handler.maxBatchingWindowSeconds < 1) {
    problems.push(`${what}: a batch size over 10 (${handler.batchSize}) needs a batching window of at least 1 s`);
  }
  if (backoff.baseSeconds > backoff.capSeconds) {
    problems.push(`${what}: backoff base ${backoff.baseSeconds} s is above its cap of ${backoff.capSeconds} s`);
  }
}

function checkNames(topics: readonly ResolvedTopic[], queues: readonly ResolvedQueue[], problems: string[]): void {
  for (const topic of topics) {
    if (topic.name.length > MAX_TOPIC_NAME_LENGTH) {
      problems.push(`topic name '${topic.name}' is ${topic.name.length} characters, over the SNS limit of ${MAX_TOPIC_NAME_LENGTH}`);
    }
  }
  const owners = new Map<string, string>();
  for (const queue of queues) {
    const names = [queue.name, queue.deadLetterQueueName, queue.subscription?.deliveryDeadLetterQueueName];
    for (const name of names) {
      if (name === undefined) continue;
      if (name.length > MAX_QUEUE_NAME_LENGTH) {
        problems.push(
          `queue name '${name}' is ${name.length} characters, over the SQS limit of ${MAX_QUEUE_NAME_LENGTH} ('.fifo' included); shorten the app, stage or '${queue.id}'`,
        );
      }
      const owner = owners.get(name);
      if (owner !== undefined) {
        problems.push(`queue name '${name}' is used by both ${owner} and ${describeQueue(queue)}; rename one of them`);
      }
      owners.set(name, describeQueue(queue));
    }
  }
}

/** The topic that carries an event type. */
export function topicOfEvent(topology: ResolvedTopology, eventType: string): ResolvedTopic | undefined {
  return topology.topics.find((topic) => topic.events.includes(eventType));
}

/** A queue by its logical name (subscriber name or command queue id). */
export function queueById(topology: ResolvedTopology, id: string): ResolvedQueue | undefined {
  return topology.queues.find((queue) => queue.id === id);
}
