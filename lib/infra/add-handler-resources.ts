import path from 'node:path';
import { CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import type { ResolvedQueue } from '../topology/resolved-topology.ts';
import { encodeDeployedQueue } from '../topology/deployed-queue.ts';
import type { TopologyDeclaration } from '../topology/topology-declaration.ts';
import { handlerOverrides, type MessagingOverrides } from './cdk-overrides.ts';
import { DurableQueue } from './durable-queue.ts';
import { EventSubscription } from './event-subscription.ts';
import { healthyMessageAgeSeconds } from './healthy-message-age.ts';
import type { IdempotencyTable } from './idempotency-table.ts';
import { CONSUMER_ENVIRONMENT, LambdaConsumer } from './lambda-consumer.ts';
import { lockFileOf } from './lock-file-of.ts';
import type { MessagingMonitoring } from './messaging-monitoring.ts';
import type { PayloadBucket } from './payload-bucket.ts';
import { grantReplying } from './reply-queue-grants.ts';
import { SharedQueuePolicy } from './shared-queue-policy.ts';

/** What every handler's resources share: the stack's topics, stores, monitoring and environment. */
export interface HandlerResourcesContext {
  /** The topology as declared: each function is deployed with its queue resolved from it (deployed-queue.ts). */
  readonly declaration: TopologyDeclaration<any, any, any, any, any, any>;
  readonly stage: string;
  readonly projectRoot: string;
  /** The topic a subscription names: an own topic by id, or another service's. */
  readonly topicOf: (topicId: string, external: boolean) => sns.ITopic;
  readonly monitoring: MessagingMonitoring;
  readonly payloads?: PayloadBucket;
  readonly idempotency?: IdempotencyTable;
  /** Environment of every function besides its own queue's (payload bucket, outbox table). */
  readonly environment: Record<string, string>;
  readonly idempotencyEnvironment: Record<string, string>;
  /**
   * One queue policy per handler and no stack output per queue (a stack group's resources, see
   * MessagingStack `stackGroups`); otherwise CDK's policy per queue and an output of each queue's URL, as
   * a single stack has always had.
   */
  readonly compact: boolean;
  /** The CDK props merged over Postbox's (MessagingStack `overrides`). */
  readonly overrides?: MessagingOverrides;
  /** The stage's reply queues and the commands that reply, when any does: their handlers may send replies. */
  readonly replies?: Replies;
}

/** Where the handlers of replying commands send their replies (reply-queue-grants.ts). */
export interface Replies {
  /** The stage's prefix, `<app>-<stage>`, of the reply queues `<prefix>-replies-*`. */
  readonly prefix: string;
  readonly commands: ReadonlySet<string>;
}

export interface HandlerResources {
  readonly queue: DurableQueue;
  readonly subscription?: EventSubscription;
  readonly consumer?: LambdaConsumer;
}

/**
 * The resources of one subscriber or command handler in `scope`: its durable queue, its subscription, its Lambda
 * consumer and their monitoring. Construct ids are the handler's name, so its logical ids do not depend on which
 * other handlers the scope holds.
 */
export function addHandlerResources(scope: Construct, resolved: ResolvedQueue, context: HandlerResourcesContext): HandlerResources {
  const label = constructId(resolved.id);
  const policy = context.compact ? new SharedQueuePolicy(scope, `${label}QueuePolicy`) : undefined;
  const overrides = handlerOverrides(context.overrides, resolved.id);
  const queue = new DurableQueue(scope, `${label}Queue`, {
    queueName: resolved.name,
    deadLetterQueueName: resolved.deadLetterQueueName,
    fifo: resolved.fifo,
    visibilityTimeout: Duration.seconds(resolved.visibilityTimeoutSeconds),
    maxReceiveCount: resolved.redriveReceiveCount,
    retentionPeriod: Duration.seconds(resolved.retentionSeconds),
    maxMessageSizeBytes: resolved.maxMessageSizeBytes,
    deadLetterRetentionPeriod: Duration.seconds(resolved.deadLetterRetentionSeconds),
    ...(policy && { policy }),
    ...(overrides.queueProps && { queueProps: overrides.queueProps }),
    ...(overrides.deadLetterQueueProps && { deadLetterQueueProps: overrides.deadLetterQueueProps }),
  });
  if (!context.compact) new CfnOutput(scope, `${label}QueueUrl`, { value: queue.queue.queueUrl });

  let subscription: EventSubscription | undefined;
  if (resolved.subscription) {
    const { topicId, external } = resolved.subscription;
    // Another service's topic: the subscription and the queue policy that lets exactly that topic send (with the
    // SNS principal of its region) are this stack's, as are the queue, its DLQs and alarms.
    subscription = new EventSubscription(scope, `${label}Subscription`, {
      topic: topicIn(scope, topicId, context.topicOf(topicId, external), context.compact),
      // With a shared policy, a reference: CDK would otherwise add a policy of its own to the queue for the topic.
      queue: policy
        ? sqs.Queue.fromQueueAttributes(scope, `${label}QueueRef`, { queueArn: queue.queue.queueArn, queueUrl: queue.queue.queueUrl, fifo: resolved.fifo })
        : queue.queue,
      filterPolicy: resolved.subscription.filterPolicy,
      deliveryDeadLetterQueueName: resolved.subscription.deliveryDeadLetterQueueName,
      fifo: resolved.fifo,
      ...(policy && { policy }),
    });
  }
  context.monitoring.monitorQueue(resolved.id, queue, Duration.seconds(healthyMessageAgeSeconds(resolved)), subscription);

  if (resolved.handler.kind !== 'lambda') return { queue, ...(subscription && { subscription }) };
  const { handler } = resolved;
  const environment = {
    [DEPLOYED_ENVIRONMENT.stage]: context.stage,
    [DEPLOYED_ENVIRONMENT.accountId]: Stack.of(scope).account,
    [DEPLOYED_ENVIRONMENT.queueUrl]: queue.queue.queueUrl,
    [DEPLOYED_ENVIRONMENT.deadLetterQueueUrl]: queue.deadLetterQueue.queueUrl,
    ...(resolved.idempotency && context.idempotencyEnvironment),
    ...context.environment,
  };
  // The resolved queue only takes what the function's other variables (the overrides' too) leave of Lambda's 4 KB.
  const room =
    LAMBDA_ENVIRONMENT_BYTES -
    environmentBytes({ ...CONSUMER_ENVIRONMENT, ...overrides.functionProps?.environment, ...environment }) -
    byteLength(DEPLOYED_ENVIRONMENT.resolvedQueue);
  const deployedQueue = encodeDeployedQueue(context.declaration, context.stage, resolved, room);
  const consumer = new LambdaConsumer(scope, `${label}Consumer`, {
    entry: path.resolve(context.projectRoot, handler.entry),
    depsLockFilePath: lockFileOf(context.projectRoot),
    description: `Handles ${resolved.messageTypes.join(', ')} from ${resolved.name}`,
    queue: queue.queue,
    timeout: Duration.seconds(handler.timeoutSeconds),
    memorySize: handler.memoryMb,
    activeTracing: handler.activeTracing,
    batchSize: handler.batchSize,
    maxBatchingWindow: Duration.seconds(handler.maxBatchingWindowSeconds),
    ...(handler.provisionedPollers ? { provisionedPollers: handler.provisionedPollers } : { maxConcurrency: handler.maxConcurrency }),
    environment: { ...environment, ...(deployedQueue !== undefined && { [DEPLOYED_ENVIRONMENT.resolvedQueue]: deployedQueue }) },
    ...(overrides.functionProps && { functionProps: overrides.functionProps }),
  });
  queue.grantDeadLetterAccess(consumer.function);
  context.payloads?.grantReadPayloads(consumer.function);
  if (resolved.idempotency) context.idempotency!.grantRecords(consumer.function);
  if (repliesTo(resolved, context.replies)) grantReplying(consumer.role, context.replies!.prefix);
  context.monitoring.monitorFunction(resolved.id, consumer);
  return { queue, ...(subscription && { subscription }), consumer };
}

/** Lambda refuses a function whose environment, names and values, takes more than 4 KB. */
const LAMBDA_ENVIRONMENT_BYTES = 4096;

/** The most a value unresolved at synthesis (a queue URL, a table or bucket name) takes once deployed. */
const TOKEN_BYTES = 256;

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** The bytes Lambda counts of an environment, its tokens at the most they may take. */
function environmentBytes(environment: Record<string, string>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(environment)) bytes += byteLength(name) + (Token.isUnresolved(value) ? TOKEN_BYTES : byteLength(value));
  return bytes;
}

/** Whether the handler of this queue replies to requesters: a command queue of a command that declares a reply. */
export function repliesTo(resolved: ResolvedQueue, replies: Replies | undefined): boolean {
  return replies !== undefined && resolved.role === 'command' && resolved.messageTypes.some((type) => replies.commands.has(type));
}

/**
 * The topic as the scope may subscribe to it: in a stack group, a reference to the parent's topic by ARN (one per
 * topic and group), since CDK would otherwise make the nested stack depend on its parent, which CloudFormation
 * cannot do; the ARN reaches the nested stack as a parameter.
 */
function topicIn(scope: Construct, topicId: string, topic: sns.ITopic, compact: boolean): sns.ITopic {
  if (!compact || Stack.of(topic) === Stack.of(scope) || !(topic instanceof sns.Topic)) return topic;
  const id = `${constructId(topicId)}TopicRef`;
  return (scope.node.tryFindChild(id) as sns.ITopic | undefined) ?? sns.Topic.fromTopicArn(scope, id, topic.topicArn);
}

/** `invoice-generate` → `InvoiceGenerate`: a stable construct id for a logical name. */
export function constructId(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
