import type * as z from 'zod/mini';
import { filterPolicyFor } from './filter-policy.ts';
import type { ResolvedExternalTopic, ResolvedQueue, ResolvedSubscription, ResolvedTopic, ResolvedTopology } from './resolved-topology.ts';
import { commandQueueId, FIFO_SUFFIX, parseTopicArn, physicalName, resourcePrefix, STAGE_PLACEHOLDER } from './naming.ts';
import { MAX_RETENTION_SECONDS } from '../messages/wire-contract.ts';
import {
  commandHandlerSchema,
  resourceNamePattern,
  subscriberSchema,
  topologySchema,
  type Handler,
  type MessageTypeInput,
  type QueueSettings,
} from './topology-schema.ts';
import type { TopologyDeclaration } from './topology-declaration.ts';
import type { IdempotencySettings } from './idempotency-declaration.ts';
import { salvageTopology } from './salvage-topology.ts';
import { checkExternalTopics, checkMessageTypes, checkNames, checkQueue, checkSubscriber, checkTopics } from './topology-checks.ts';
import { TopologyError } from './topology-error.ts';
import { defaultVisibilityTimeout } from './visibility-timeout.ts';

export { defaultVisibilityTimeout } from './visibility-timeout.ts';
export type { ResolvedExternalTopic, ResolvedQueue, ResolvedSubscription, ResolvedTopic, ResolvedTopology } from './resolved-topology.ts';

export interface ResolveOptions {
  /** Environment such as `dev` or `prod`; part of every name. */
  readonly stage: string;
  /**
   * Checks of the resolved form that need more than the declaration (its publishers' contracts, at synthesis):
   * their problems join resolveTopology's own in one {@link TopologyError}. Not run when the declaration's shape is
   * refused, as its message types are then names only.
   * @default none
   */
  readonly moreChecks?: (topology: ResolvedTopology) => readonly string[];
}

/**
 * Validates a topology declaration for one stage and resolves it into the
 * resources it needs. Every problem found is collected and thrown at once as a
 * {@link TopologyError}, so a user fixes a declaration in one round.
 */
export function resolveTopology(declaration: TopologyDeclaration<any, any, any, any, any, any>, options: ResolveOptions): ResolvedTopology {
  // Parsed once per process: compiling zod's fast path for each object schema would cost more than it saves (module init, `npm run bench`).
  const parsed = topologySchema().safeParse(declaration, { jitless: true });
  // A refused shape still gets its cross-checks, on what parses, so that one round shows every problem.
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map(describeIssue);
  if (!resourceNamePattern.test(options.stage)) {
    problems.push(`stage '${options.stage}' must use lower-case letters, digits and hyphens, starting with a letter`);
  }
  const { topology, refused } = parsed.success ? { topology: parsed.data, refused: undefined } : salvageTopology(declaration);
  checkMessageTypes(topology, problems);
  for (const [type, declared] of Object.entries(topology.events)) {
    if (declared.reply !== undefined) problems.push(`events.${type}.reply: only a command has a reply (a Requester sends commands); declare '${type}' under commands, or drop its reply`);
  }
  checkTopics(topology, problems, !refused?.topics.size);
  checkExternalTopics(topology, problems);

  const prefix = resourcePrefix(topology.app, options.stage);
  const topics = Object.entries(topology.topics).map(([id, topic]) => ({
    id,
    name: physicalName(prefix, id, topic.fifo),
    fifo: topic.fifo,
    contentBasedDeduplication: topic.contentBasedDeduplication,
    ...(topic.fifoThroughputScope && { fifoThroughputScope: topic.fifoThroughputScope }),
    maxMessageSizeBytes: topic.maxMessageSizeBytes,
    events: topic.events,
    allowSubscribers: topic.allowSubscribers,
  }));
  const externalTopics = Object.entries(topology.externalTopics).map(([id, topic]) => resolveExternalTopic(id, topic, options.stage));
  const queues = [
    ...Object.entries(topology.subscribers).map(([id, subscriber]) => {
      const external = externalTopics.find((topic) => topic.id === subscriber.topic);
      checkSubscriber(id, subscriber, topology, problems, external);
      const fifo = external?.fifo ?? topology.topics[subscriber.topic]?.fifo ?? false;
      const queue = resolveQueue(prefix, options.stage, id, 'subscriber', subscriber.events, subscriber.handler, subscriber.queue, fifo, {
        topicId: subscriber.topic,
        external: external !== undefined,
        filterPolicy: filterPolicyFor(subscriber.events),
        deliveryDeadLetterQueueName: physicalName(prefix, `${id}-delivery-dlq`, fifo),
      });
      return withStackGroup(withIdempotency(queue, subscriber.idempotency), subscriber.stackGroup);
    }),
    ...Object.entries(topology.commandHandlers).map(([commandType, commandHandler]) => {
      if (!(commandType in topology.commands)) {
        problems.push(`command handler '${commandType}' handles an unknown command type; declare it under commands`);
      }
      const fifo = commandHandler.queue.fifo ?? false;
      const queue = resolveQueue(prefix, options.stage, commandQueueId(commandType), 'command', [commandType], commandHandler.handler, commandHandler.queue, fifo);
      return withStackGroup(withIdempotency(queue, commandHandler.idempotency), commandHandler.stackGroup);
    }),
  ];
  for (const commandType of Object.keys(topology.commands)) {
    if (!(commandType in topology.commandHandlers) && !refused?.commandHandlers.has(commandType)) {
      problems.push(`command '${commandType}' has no handler; add one under commandHandlers`);
    }
  }
  // What was written, not what defaults made: only a declared maxConcurrency conflicts with provisioned pollers.
  type Declared = Record<string, { handler?: { maxConcurrency?: unknown } } | undefined> | undefined;
  for (const queue of queues) {
    const declared = queue.role === 'subscriber' ? (declaration.subscribers as Declared)?.[queue.id] : (declaration.commandHandlers as Declared)?.[queue.messageTypes[0]!];
    checkQueue(queue, problems, declared?.handler?.maxConcurrency !== undefined);
  }
  checkNames(topics, queues, problems);

  const resolved: ResolvedTopology = { app: topology.app, stage: options.stage, prefix, events: topology.events, commands: topology.commands, topics, externalTopics, queues };
  if (options.moreChecks && !refused) problems.push(...options.moreChecks(resolved));
  if (problems.length > 0) throw new TopologyError(topology.app, problems);
  return resolved;
}

/** One queue of a topology as its consumer needs it, with the message types it may be sent. */
export interface ResolvedQueueOf extends Pick<ResolvedTopology, 'app' | 'stage' | 'prefix' | 'events' | 'commands'> {
  /** Undefined when the topology has no such queue. */
  readonly queue: ResolvedQueue | undefined;
  /** The ids of every queue of the topology, for saying which exist. */
  queueIds(): string[];
}

/** One queue of a topology resolved whole already, in the form {@link resolveQueueOf} gives. */
export function queueOfResolved(topology: ResolvedTopology, id: string): ResolvedQueueOf {
  return { ...topology, queue: topology.queues.find((queue) => queue.id === id), queueIds: () => topology.queues.map((queue) => queue.id) };
}

/**
 * One queue of a topology, resolved as {@link resolveTopology} resolves it, for a consumer's cold start: only that
 * queue's declaration is parsed (for its defaults), nothing of the rest is checked. The whole topology was
 * validated when it was synthesized or provisioned; a handler of one queue need not pay for every queue's checks.
 *
 * @throws TopologyError when the queue's own declaration or the stage is not valid
 */
export function resolveQueueOf(declaration: TopologyDeclaration<any, any, any, any, any, any>, options: ResolveOptions & { readonly queue: string }): ResolvedQueueOf {
  const { stage, queue: id } = options;
  const app: string = declaration.app;
  if (!resourceNamePattern.test(stage)) throw new TopologyError(app, [`stage '${stage}' must use lower-case letters, digits and hyphens, starting with a letter`]);
  const prefix = resourcePrefix(app, stage);
  const subscribers: Record<string, unknown> = declaration.subscribers ?? {};
  const commandHandlers: Record<string, unknown> = declaration.commandHandlers ?? {};
  const parse = <T>(schema: z.ZodMiniType<T>, value: unknown, where: string): T => {
    const parsed = schema.safeParse(value, { jitless: true });
    if (!parsed.success) throw new TopologyError(app, parsed.error.issues.map((issue) => describeIssue({ ...issue, path: [where, ...issue.path] })));
    return parsed.data;
  };
  let queue: ResolvedQueue | undefined;
  if (Object.hasOwn(subscribers, id)) {
    const subscriber = parse(subscriberSchema(), subscribers[id], `subscribers.${id}`);
    const externalDeclaration = declaration.externalTopics?.[subscriber.topic];
    const external = externalDeclaration && resolveExternalTopic(subscriber.topic, externalDeclaration, stage);
    const fifo = external?.fifo ?? declaration.topics?.[subscriber.topic]?.fifo ?? false;
    queue = withIdempotency(
      resolveQueue(prefix, stage, id, 'subscriber', subscriber.events, subscriber.handler, subscriber.queue, fifo, {
        topicId: subscriber.topic,
        external: external !== undefined,
        filterPolicy: filterPolicyFor(subscriber.events),
        deliveryDeadLetterQueueName: physicalName(prefix, `${id}-delivery-dlq`, fifo),
      }),
      subscriber.idempotency,
    );
  } else {
    const commandType = Object.keys(commandHandlers).find((type) => commandQueueId(type) === id);
    if (commandType !== undefined) {
      const commandHandler = parse(commandHandlerSchema(), commandHandlers[commandType], `commandHandlers.${commandType}`);
      const fifo = commandHandler.queue.fifo ?? false;
      queue = withIdempotency(resolveQueue(prefix, stage, id, 'command', [commandType], commandHandler.handler, commandHandler.queue, fifo), commandHandler.idempotency);
    }
  }
  return queueOfDeclaration(declaration, stage, queue);
}

/** A queue resolved already (by {@link resolveQueueOf}, or at synthesis) with what its consumer needs of the rest of the declaration. */
export function queueOfDeclaration(declaration: TopologyDeclaration<any, any, any, any, any, any>, stage: string, queue: ResolvedQueue | undefined): ResolvedQueueOf {
  const withVersions = (types: Record<string, MessageTypeInput> | undefined) =>
    Object.fromEntries(Object.entries(types ?? {}).map(([type, declared]) => [type, { ...declared, version: declared.version ?? 1 }]));
  return {
    app: declaration.app,
    stage,
    prefix: resourcePrefix(declaration.app, stage),
    events: withVersions(declaration.events),
    commands: withVersions(declaration.commands),
    queue,
    queueIds: () => [...Object.keys(declaration.subscribers ?? {}), ...Object.keys(declaration.commandHandlers ?? {}).map(commandQueueId)],
  };
}

interface ExternalTopicFields {
  readonly service?: string | undefined;
  readonly topic?: string | undefined;
  readonly arn?: string | undefined;
  readonly stage?: string | undefined;
  readonly fifo?: boolean | undefined;
  readonly events: readonly string[];
}

function resolveExternalTopic(id: string, topic: ExternalTopicFields, stage: string): ResolvedExternalTopic {
  const name = topic.arn ? parseTopicArn(topic.arn).name : physicalName(resourcePrefix(topic.service ?? '', topic.stage ?? stage), topic.topic ?? id, topic.fifo ?? false);
  return { id, service: topic.arn ? undefined : topic.service, name, arn: topic.arn, fifo: topic.fifo ?? name.endsWith(FIFO_SUFFIX), events: topic.events };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'topology';
  return `${where}: ${issue.message}`;
}

function resolveQueue(
  prefix: string,
  stage: string,
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
    // An endpoint's URL may name the stage, so that each stage calls its own (docs/http-endpoints.md).
    handler: handler.kind === 'http' ? { ...handler, url: handler.url.replaceAll(STAGE_PLACEHOLDER, stage) } : handler,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds ?? defaultVisibilityTimeout(handler),
    maxReceiveCount: settings.maxReceiveCount,
    redriveReceiveCount: settings.maxReceiveCount + 1,
    retentionSeconds: settings.retentionSeconds,
    deadLetterRetentionSeconds: MAX_RETENTION_SECONDS,
    backoff: settings.backoff,
    maxMessageSizeBytes: settings.maxMessageSizeBytes,
    ...(subscription && { subscription }),
  };
}

function withStackGroup(queue: ResolvedQueue, stackGroup: string | undefined): ResolvedQueue {
  return stackGroup === undefined ? queue : { ...queue, stackGroup };
}

/** The queue with its idempotency, if declared: an attempt holds its record for the handler's time limit. */
function withIdempotency(queue: ResolvedQueue, settings: IdempotencySettings | undefined): ResolvedQueue {
  return settings ? { ...queue, idempotency: { lifetimeSeconds: settings.lifetimeSeconds, leaseSeconds: queue.handler.timeoutSeconds } } : queue;
}

/** The topic that carries an event type. */
export function topicOfEvent(topology: ResolvedTopology, eventType: string): ResolvedTopic | undefined {
  return topology.topics.find((topic) => topic.events.includes(eventType));
}

/** A queue by its logical name (subscriber name or command queue id). */
export function queueById(topology: ResolvedTopology, id: string): ResolvedQueue | undefined {
  return topology.queues.find((queue) => queue.id === id);
}
