import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ConfigError } from '../config/config-error.ts';
import { needsPayloadBucket, payloadExpiryDays } from '../messages/payload-pointer.ts';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import { externalTopicArn, idempotencyTableName, outboxTableName, payloadBucketName } from '../topology/naming.ts';
import { checkContracts } from '../topology/contract-checks.ts';
import { resolveTopology, type ResolvedTopology } from '../topology/resolve-topology.ts';
import { addHandlerResources, constructId, type HandlerResourcesContext } from './add-handler-resources.ts';
import type { DurableQueue } from './durable-queue.ts';
import type { EventSubscription } from './event-subscription.ts';
import type { EventTopic } from './event-topic.ts';
import { addTopicResources } from './add-topic-resources.ts';
import { IdempotencyTable } from './idempotency-table.ts';
import type { JobLockTable } from './job-lock-table.ts';
import type { LambdaConsumer } from './lambda-consumer.ts';
import { MessageSchedules } from './message-schedules.ts';
import { grantRequesting, replyingCommands } from './reply-queue-grants.ts';
import { MessagingMonitoring, type MessagingMonitoringProps } from './messaging-monitoring.ts';
import { PayloadBucket } from './payload-bucket.ts';
import type { OutboxTable } from './outbox-table.ts';
import { addOutboxResources } from './add-outbox-resources.ts';
import { QueueGroupStack } from './queue-group-stack.ts';
import { missingEntries } from '../config/missing-entries.ts';
import { checkHandlerOverrides } from './cdk-overrides.ts';
import { constructIdClashes } from './construct-id-clashes.ts';
import { checkResourceLimit, groupStackRemedy, parentStackRemedy, resourceLimitProblem } from './resource-limit.ts';
import { stackGroupOf } from './stack-group-of.ts';
import type { WorkerService } from './worker-service.ts';
import { addWorkerResources } from './add-worker-resources.ts';
import type { MessagingStackProps } from './messaging-stack-props.ts';

export type { MessagingStackProps } from './messaging-stack-props.ts';

/**
 * Everything a topology needs in one stack: an encrypted topic per topic, a
 * durable queue (main + DLQ) per subscriber and per command, the subscriptions
 * with their filter policies, a Lambda consumer per Lambda handler, and the
 * alarms and dashboard that watch them, for worker handlers a Fargate
 * service with the lock table of their unique jobs, and with `outbox` the
 * transactional outbox's table and stream relay. With `stackGroups`, the
 * subscribers' and command handlers' resources go to nested stacks, one per
 * group (see docs/big-topologies.md).
 */
export class MessagingStack extends Stack {
  readonly topology: ResolvedTopology;
  readonly topics = new Map<string, EventTopic>();
  /** Other services' topics this stack's queues subscribe to, by their name in the topology. */
  readonly externalTopics = new Map<string, sns.ITopic>();
  readonly queues = new Map<string, DurableQueue>();
  readonly subscriptions = new Map<string, EventSubscription>();
  readonly consumers = new Map<string, LambdaConsumer>();
  /** The nested stacks of the handlers with the `stackGroups` prop, by group name. */
  readonly groups = new Map<string, QueueGroupStack>();
  /** This stack and its groups, each with what would make room in it. */
  private readonly limited: Array<readonly [Stack, () => string]> = [];
  readonly monitoring: MessagingMonitoring;
  /**
   * The customer-managed key of the topics, which publishers are granted. In the development profile only topics
   * that other accounts subscribe to have it (made only then); the others use the AWS-managed `alias/aws/sns`.
   */
  readonly topicKey?: kms.Key;
  /** The Fargate service of the worker handlers, if the topology has any. */
  readonly workers?: WorkerService;
  /** The lock table of the workers' unique jobs, if the topology has worker handlers. */
  readonly jobLocks?: JobLockTable;
  /** The idempotency records of the queues that declare `idempotency`, if any does. */
  readonly idempotency?: IdempotencyTable;
  /** The bucket of payloads over their destination's limit (claim check), if the topology publishes anything. */
  readonly payloads?: PayloadBucket;
  /** The outbox table and its relay, with the `outbox` prop. */
  readonly outbox?: OutboxTable;
  /** The schedule group, delivery role and dead-letter queue of messages for later, with the `schedules` prop. */
  readonly schedules?: MessageSchedules;
  /** The profile's alarms and dashboard, for this stack's monitoring and its groups'. */
  private readonly profileMonitoring: Pick<MessagingMonitoringProps, 'alarms' | 'dashboard'>;

  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    if (props.stackGroups !== undefined && !(Number.isInteger(props.stackGroups) && props.stackGroups >= 1)) {
      throw new ConfigError('CONFIG_INVALID', `stack ${id}: stackGroups is ${props.stackGroups}; give a whole number of groups, 1 or more (about one per 15 handlers)`);
    }
    this.limitResources(this, () => parentStackRemedy(props.stackGroups !== undefined));
    // The publishers' contracts are checked here, at synthesis, and not by every resolveTopology (handlers run it);
    // their problems come in the same TopologyError as the declaration's.
    let warnings: readonly string[] = [];
    const projectRoot = props.projectRoot ?? process.cwd();
    this.topology = resolveTopology(props.topology, {
      stage: props.stage,
      moreChecks: (resolved) => {
        const contracts = checkContracts(props.topology, resolved, Token.isUnresolved(this.account) ? {} : { account: this.account });
        warnings = contracts.warnings;
        return [...contracts.problems, ...constructIdClashes(resolved, props.stackGroups), ...missingEntries(resolved, projectRoot)];
      },
    });
    for (const warning of warnings) Annotations.of(this).addWarningV2('postbox:contract-version-behind', warning);
    const ignoredGroups = props.stackGroups === undefined ? this.topology.queues.filter((queue) => queue.stackGroup !== undefined) : [];
    if (ignoredGroups.length > 0) {
      Annotations.of(this).addWarningV2(
        'postbox:stack-group-without-stack-groups',
        `${ignoredGroups.map((queue) => queue.id).join(', ')} name a stackGroup, which counts only when stackGroups is set (postbox.config.ts, or the MessagingStack prop); every handler is in this one stack`,
      );
    }
    const { prefix } = this.topology;

    const development = props.profile === 'development';
    this.profileMonitoring = development ? { alarms: 'dead-letters', dashboard: false } : {};
    this.monitoring = new MessagingMonitoring(this, 'Monitoring', {
      dashboardName: prefix,
      ...(props.alarmEmail && { alarmEmail: props.alarmEmail }),
      ...this.profileMonitoring,
    });
    // Claim check: the bucket's name goes to every function and task, whose Publisher stores payloads there, and its consumers may read them.
    const payloads = (this.payloads = this.payloadBucket());
    const payloadEnvironment: Record<string, string> = payloads ? { [DEPLOYED_ENVIRONMENT.payloadBucket]: payloads.bucket.bucketName } : {};
    const topicResources = addTopicResources(this, this.topology, { development, monitoring: this.monitoring, ...(props.overrides && { overrides: props.overrides }) });
    for (const [id, topic] of topicResources.topics) this.topics.set(id, topic);
    this.topicKey = topicResources.topicKey;

    for (const external of this.topology.externalTopics) {
      const arn = externalTopicArn(external, { partition: this.partition, region: this.region, account: this.account });
      this.externalTopics.set(external.id, sns.Topic.fromTopicArn(this, `${constructId(external.id)}ExternalTopic`, arn));
    }

    const idempotency = this.topology.queues.some((queue) => queue.idempotency)
      ? (this.idempotency = new IdempotencyTable(this, 'Idempotency', { tableName: idempotencyTableName(prefix) }))
      : undefined;
    // The outbox table's name is known before the table is made (below, after the queues): every function and task may write it.
    const outboxEnvironment: Record<string, string> = props.outbox ? { [DEPLOYED_ENVIRONMENT.outboxTable]: outboxTableName(prefix) } : {};
    const schedules = props.schedules
      ? (this.schedules = new MessageSchedules(this, 'Schedules', { groupName: prefix, topics: [...this.topics.values()].map((topic) => topic.topic), ...(this.topicKey && { topicKey: this.topicKey }) }))
      : undefined;
    if (schedules) this.monitoring.monitorSchedules('Schedules', schedules);
    const schedulesEnvironment = schedules?.environment ?? {};
    const idempotencyEnvironment: Record<string, string> = idempotency ? { [DEPLOYED_ENVIRONMENT.idempotencyTable]: idempotency.table.tableName } : {};

    const replyingCommandTypes = replyingCommands(this.topology);
    const replies = replyingCommandTypes.size > 0 ? { prefix, commands: replyingCommandTypes } : undefined;
    const context: Omit<HandlerResourcesContext, 'monitoring' | 'compact'> = {
      declaration: props.topology,
      stage: this.topology.stage,
      projectRoot,
      topicOf: (topicId, external) => (external ? this.externalTopics.get(topicId)! : this.topics.get(topicId)!.topic),
      ...(payloads && { payloads }),
      ...(idempotency && { idempotency }),
      environment: { ...payloadEnvironment, ...outboxEnvironment, ...schedulesEnvironment },
      idempotencyEnvironment,
      ...(props.overrides && { overrides: props.overrides }),
      ...(replies && { replies }),
    };
    checkHandlerOverrides(props.overrides, this.topology.queues);
    for (const resolved of this.topology.queues) {
      const group = props.stackGroups === undefined ? undefined : this.groupStack(stackGroupOf(resolved, props.stackGroups));
      const made = group
        ? addHandlerResources(group, resolved, { ...context, monitoring: group.monitoring, compact: true })
        : addHandlerResources(this, resolved, { ...context, monitoring: this.monitoring, compact: false });
      this.queues.set(resolved.id, made.queue);
      if (made.subscription) this.subscriptions.set(resolved.id, made.subscription);
      if (made.consumer) this.consumers.set(resolved.id, made.consumer);
    }

    const workerResources = addWorkerResources(this, this.topology, {
      projectRoot,
      ...(props.workersModule && { workersModule: props.workersModule }),
      ...(props.topologyModule && { topologyModule: props.topologyModule }),
      queues: this.queues,
      // One task at most: without a running-task count the service would scale in as the backlog shrinks, stopping tasks
      // mid-job (each stop costs the job one of its receives); 1 → 0 happens only when no message waits or runs.
      settings: { ...(development && { minTasks: 0, maxTasks: 1, networking: 'public', containerInsights: false }), ...props.workers },
      environment: { ...payloadEnvironment, ...outboxEnvironment, ...schedulesEnvironment },
      idempotencyEnvironment,
      ...(payloads && { payloads }),
      ...(idempotency && { idempotency }),
      ...(replies && { replies }),
    });
    this.jobLocks = workerResources?.jobLocks;
    this.workers = workerResources?.workers;

    schedules?.allowSendingTo(this.topology.queues.filter((queue) => queue.role === 'command').map((queue) => this.queues.get(queue.id)!.queue));

    if (props.outbox) this.outbox = addOutboxResources(this, projectRoot);
  }

  /** The nested stack of a group, made on its first handler. */
  private groupStack(group: string): QueueGroupStack {
    let stack = this.groups.get(group);
    if (!stack) {
      stack = new QueueGroupStack(this, `${constructId(group)}Stack`, {
        group,
        dashboardName: `${this.topology.prefix}-${group}`,
        alarmTopic: this.monitoring.alarmTopic,
        monitoring: this.profileMonitoring,
      });
      this.limitResources(stack, () => groupStackRemedy(group, this.topology.queues.some((queue) => queue.stackGroup === group)));
      this.groups.set(group, stack);
    }
    return stack;
  }

  /**
   * This stack's and its groups' resources past CloudFormation's 500, each with its remedy, as counted now: what
   * createMessagingApp refuses before synthesis (synthesis counts again, with what was added since).
   */
  resourceLimitProblems(): string[] {
    return this.limited.map(([stack, remedy]) => resourceLimitProblem(stack, remedy)).filter((problem) => problem !== undefined);
  }

  private limitResources(stack: Stack, remedy: () => string): void {
    checkResourceLimit(stack, remedy);
    this.limited.push([stack, remedy]);
  }

  /**
   * The bucket of payloads over their destination's limit, whenever this stack's publishers may send at all (any
   * message may outgrow its limit); none for a service that only subscribes.
   */
  private payloadBucket(): PayloadBucket | undefined {
    if (!needsPayloadBucket(this.topology)) return undefined;
    const bucketName = payloadBucketName(this.topology.prefix, { account: this.account, region: this.region });
    return new PayloadBucket(this, 'Payloads', { bucketName, expiration: Duration.days(payloadExpiryDays(this.topology.queues)) });
  }


  /**
   * Lets the grantee publish the topology's events: sns:Publish on every topic (PublishBatch included),
   * kms:GenerateDataKey* and kms:Decrypt on the topics' customer-managed key if they have one, which SNS uses on the publisher's behalf, and
   * s3:PutObject of payloads over the limit into the payload bucket. Nothing else: a `Publisher` makes topic ARNs
   * from their names, without listing topics.
   */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    const topicArns = [...this.topics.values()].map((topic) => topic.topic.topicArn);
    let grant = iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: topicArns });
    // The AWS-managed key's own policy lets any principal of the account publish through SNS: no grant to add.
    if (this.topicKey) grant = grant.combine(this.topicKey.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey*'));
    return this.payloads ? grant.combine(this.payloads.grantWritePayloads(grantee)) : grant;
  }

  /**
   * Lets the grantee make requests with a Requester: make, read and delete its reply queue (`<app>-<stage>-replies-*`)
   * and send the topology's commands (grantSend).
   */
  grantRequest(grantee: iam.IGrantable): iam.Grant {
    return grantRequesting(grantee, this, this.topology.prefix).combine(this.grantSend(grantee));
  }

  /**
   * Lets the grantee schedule messages for later and cancel them (MessageSchedules.grantSchedule), with the `schedules`
   * prop; grant publishing or sending besides, for what the publisher sends at once.
   */
  grantSchedule(grantee: iam.IGrantable): iam.Grant {
    if (!this.schedules) throw new ConfigError('CONFIG_INVALID', `stack ${this.stackName} has no schedules to grant: set \`schedules: true\` in postbox.config.ts (MessagingStack prop schedules)`);
    return this.schedules.grantSchedule(grantee);
  }

  /**
   * Lets the grantee send the topology's commands: sqs:SendMessage (SendMessageBatch included) on every command
   * queue, and s3:PutObject of payloads over the limit into the payload bucket; nothing else. The queues use
   * SSE-SQS, which needs no key grant; a `Publisher` makes their URLs from their names, without GetQueueUrl.
   */
  grantSend(grantee: iam.IGrantable): iam.Grant {
    const queueArns = this.topology.queues.filter((queue) => queue.role === 'command').map((queue) => this.queues.get(queue.id)!.queue.queueArn);
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: queueArns });
    return this.payloads ? grant.combine(this.payloads.grantWritePayloads(grantee)) : grant;
  }
}

