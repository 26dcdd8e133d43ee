import path from 'node:path';
import { Annotations, CfnOutput, Duration, Stack, Stage, Token, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ConfigError } from '../config/config-error.ts';
import { needsPayloadBucket, payloadExpiryDays } from '../messages/payload-pointer.ts';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import { externalTopicArn, idempotencyTableName, jobLockTableName, outboxTableName, payloadBucketName } from '../topology/naming.ts';
import { checkContracts } from '../topology/contract-checks.ts';
import { resolveTopology, type ResolvedTopology } from '../topology/resolve-topology.ts';
import type { TopologyDeclaration } from '../topology/topology-declaration.ts';
import { DurableQueue } from './durable-queue.ts';
import { EventSubscription } from './event-subscription.ts';
import { EventTopic } from './event-topic.ts';
import { healthyMessageAgeSeconds } from './healthy-message-age.ts';
import { IdempotencyTable } from './idempotency-table.ts';
import { JobLockTable } from './job-lock-table.ts';
import { lockFileOf } from './lock-file-of.ts';
import { LambdaConsumer } from './lambda-consumer.ts';
import { MessagingMonitoring } from './messaging-monitoring.ts';
import { PayloadBucket } from './payload-bucket.ts';
import { OutboxTable } from './outbox-table.ts';
import { writeWorkerImage } from './worker-image.ts';
import { WorkerService, type WorkerServiceProps } from './worker-service.ts';

export interface MessagingStackProps extends StackProps {
  /** The application's topology: every topic, queue and handler is built from it. */
  readonly topology: TopologyDeclaration<any, any, any, any, any, any>;
  /** Stage such as `dev` or `prod`; part of every resource name. */
  readonly stage: string;
  /**
   * E-mail address that receives the alarms.
   * @default none: subscribe to the alarm topic yourself
   */
  readonly alarmEmail?: string;
  /**
   * Directory that the handlers' `entry` paths and `workersModule` are relative to, and that the worker
   * bundle's imports resolve from (`postbox` in its node_modules).
   * @default the current working directory
   */
  readonly projectRoot?: string;
  /**
   * Module whose default export is `defineWorkers(...)` (the config's `workers`): what the worker image
   * runs. At synthesis it is bundled with the worker process by esbuild into the image's build context,
   * under the cloud assembly's directory. Required when the topology has worker handlers and the stack is
   * bundled (`cdk synth`, `cdk deploy`; not `cdk destroy` or a stack that `-e` leaves out).
   * @default none
   */
  readonly workersModule?: string;
  /**
   * Settings of the Fargate service that runs the worker handlers (built only if the topology has any).
   * @default one task when idle, up to 10, scaling out from 10 messages per task, waiting or in flight
   */
  readonly workers?: Omit<WorkerServiceProps, 'queues' | 'imageDirectory' | 'environment' | 'jobLocks'>;
  /**
   * Builds the transactional outbox (`<app>-<stage>-outbox`): its table, the stream relay that publishes what is
   * written to it, its alarms and dashboard row. Grant writers with `outbox.grantWrite`. A stack prop, not part of
   * the topology: the topology is the contract other services read, and how this service stores its outgoing
   * messages is none of theirs (a service with its own outbox store leaves it off).
   * @default false
   */
  readonly outbox?: boolean;
}

/**
 * Everything a topology needs in one stack: an encrypted topic per topic, a
 * durable queue (main + DLQ) per subscriber and per command, the subscriptions
 * with their filter policies, a Lambda consumer per Lambda handler, and the
 * alarms and dashboard that watch them, for worker handlers a Fargate
 * service with the lock table of their unique jobs, and with `outbox` the
 * transactional outbox's table and stream relay.
 */
export class MessagingStack extends Stack {
  readonly topology: ResolvedTopology;
  readonly topics = new Map<string, EventTopic>();
  /** Other services' topics this stack's queues subscribe to, by their name in the topology. */
  readonly externalTopics = new Map<string, sns.ITopic>();
  readonly queues = new Map<string, DurableQueue>();
  readonly subscriptions = new Map<string, EventSubscription>();
  readonly consumers = new Map<string, LambdaConsumer>();
  readonly monitoring: MessagingMonitoring;
  /** The key that encrypts every topic: publishers need it to publish. */
  readonly topicKey: kms.Key;
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

  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    // The publishers' contracts are checked here, at synthesis, and not by every resolveTopology (handlers run it);
    // their problems come in the same TopologyError as the declaration's.
    let warnings: readonly string[] = [];
    this.topology = resolveTopology(props.topology, {
      stage: props.stage,
      moreChecks: (resolved) => {
        const contracts = checkContracts(props.topology, resolved, Token.isUnresolved(this.account) ? {} : { account: this.account });
        warnings = contracts.warnings;
        return contracts.problems;
      },
    });
    for (const warning of warnings) Annotations.of(this).addWarningV2('postbox:contract-version-behind', warning);
    const projectRoot = props.projectRoot ?? process.cwd();
    const { prefix } = this.topology;

    this.monitoring = new MessagingMonitoring(this, 'Monitoring', {
      dashboardName: prefix,
      ...(props.alarmEmail && { alarmEmail: props.alarmEmail }),
    });
    // Claim check: the bucket's name goes to every function and task, whose Publisher stores payloads there, and its consumers may read them.
    const payloads = (this.payloads = this.payloadBucket());
    const payloadEnvironment: Record<string, string> = payloads ? { [DEPLOYED_ENVIRONMENT.payloadBucket]: payloads.bucket.bucketName } : {};
    const topicKey = (this.topicKey = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: `Encrypts the SNS topics of ${prefix}` }));

    for (const resolved of this.topology.topics) {
      const topic = new EventTopic(this, `${constructId(resolved.id)}Topic`, {
        topicName: resolved.name,
        fifo: resolved.fifo,
        contentBasedDeduplication: resolved.contentBasedDeduplication,
        fifoThroughputScope: resolved.fifoThroughputScope,
        maxMessageSizeBytes: resolved.maxMessageSizeBytes,
        masterKey: topicKey,
        allowSubscribers: resolved.allowSubscribers,
      });
      this.topics.set(resolved.id, topic);
      this.monitoring.monitorTopic(resolved.id, topic);
      new CfnOutput(this, `${constructId(resolved.id)}TopicArn`, { value: topic.topic.topicArn });
    }

    for (const external of this.topology.externalTopics) {
      const arn = externalTopicArn(external, { partition: this.partition, region: this.region, account: this.account });
      this.externalTopics.set(external.id, sns.Topic.fromTopicArn(this, `${constructId(external.id)}ExternalTopic`, arn));
    }

    const idempotency = this.topology.queues.some((queue) => queue.idempotency)
      ? (this.idempotency = new IdempotencyTable(this, 'Idempotency', { tableName: idempotencyTableName(prefix) }))
      : undefined;
    // The outbox table's name is known before the table is made (below, after the queues): every function and task may write it.
    const outboxEnvironment: Record<string, string> = props.outbox ? { [DEPLOYED_ENVIRONMENT.outboxTable]: outboxTableName(prefix) } : {};
    const idempotencyEnvironment: Record<string, string> = idempotency ? { [DEPLOYED_ENVIRONMENT.idempotencyTable]: idempotency.table.tableName } : {};

    for (const resolved of this.topology.queues) {
      const label = constructId(resolved.id);
      const queue = new DurableQueue(this, `${label}Queue`, {
        queueName: resolved.name,
        deadLetterQueueName: resolved.deadLetterQueueName,
        fifo: resolved.fifo,
        visibilityTimeout: Duration.seconds(resolved.visibilityTimeoutSeconds),
        maxReceiveCount: resolved.redriveReceiveCount,
        retentionPeriod: Duration.seconds(resolved.retentionSeconds),
        maxMessageSizeBytes: resolved.maxMessageSizeBytes,
        deadLetterRetentionPeriod: Duration.seconds(resolved.deadLetterRetentionSeconds),
      });
      this.queues.set(resolved.id, queue);
      this.monitoring.monitorQueue(resolved.id, queue, Duration.seconds(healthyMessageAgeSeconds(resolved)));
      new CfnOutput(this, `${label}QueueUrl`, { value: queue.queue.queueUrl });

      if (resolved.subscription) {
        const { topicId, external } = resolved.subscription;
        // Another service's topic: the subscription and the queue policy that lets exactly that topic send (with the
        // SNS principal of its region) are this stack's, as are the queue, its DLQs and alarms.
        const topic = external ? this.externalTopics.get(topicId)! : this.topics.get(topicId)!.topic;
        const subscription = new EventSubscription(this, `${label}Subscription`, {
          topic,
          queue: queue.queue,
          filterPolicy: resolved.subscription.filterPolicy,
          deliveryDeadLetterQueueName: resolved.subscription.deliveryDeadLetterQueueName,
          fifo: resolved.fifo,
        });
        this.subscriptions.set(resolved.id, subscription);
        this.monitoring.monitorSubscription(resolved.id, subscription);
      }

      if (resolved.handler.kind === 'lambda') {
        const { handler } = resolved;
        const consumer = new LambdaConsumer(this, `${label}Consumer`, {
          entry: path.resolve(projectRoot, handler.entry),
          depsLockFilePath: lockFileOf(projectRoot),
          description: `Handles ${resolved.messageTypes.join(', ')} from ${resolved.name}`,
          queue: queue.queue,
          timeout: Duration.seconds(handler.timeoutSeconds),
          memorySize: handler.memoryMb,
          batchSize: handler.batchSize,
          maxBatchingWindow: Duration.seconds(handler.maxBatchingWindowSeconds),
          ...(handler.provisionedPollers ? { provisionedPollers: handler.provisionedPollers } : { maxConcurrency: handler.maxConcurrency }),
          environment: {
            [DEPLOYED_ENVIRONMENT.stage]: this.topology.stage,
            [DEPLOYED_ENVIRONMENT.accountId]: this.account,
            [DEPLOYED_ENVIRONMENT.queueUrl]: queue.queue.queueUrl,
            [DEPLOYED_ENVIRONMENT.deadLetterQueueUrl]: queue.deadLetterQueue.queueUrl,
            ...(resolved.idempotency && idempotencyEnvironment),
            ...payloadEnvironment,
            ...outboxEnvironment,
          },
        });
        queue.grantDeadLetterAccess(consumer.function);
        payloads?.grantReadPayloads(consumer.function);
        if (resolved.idempotency) idempotency!.grantRecords(consumer.function);
        this.consumers.set(resolved.id, consumer);
        this.monitoring.monitorFunction(resolved.id, consumer);
      }
    }

    const workerQueues = this.topology.queues.filter((queue) => queue.handler.kind === 'worker');
    if (workerQueues.length > 0) {
      this.jobLocks = new JobLockTable(this, 'JobLocks', { tableName: jobLockTableName(this.topology.prefix) });
      this.workers = new WorkerService(this, 'Workers', {
        ...props.workers,
        jobLocks: this.jobLocks,
        queues: workerQueues.map((queue) => this.queues.get(queue.id)!),
        imageDirectory: this.workerImage(workerQueues.map((queue) => queue.id), projectRoot, props.workersModule),
        environment: {
          [DEPLOYED_ENVIRONMENT.stage]: this.topology.stage,
          [DEPLOYED_ENVIRONMENT.accountId]: this.account,
          ...payloadEnvironment,
          ...outboxEnvironment,
          ...(workerQueues.some((queue) => queue.idempotency) && idempotencyEnvironment),
        },
      });
      payloads?.grantReadPayloads(this.workers.taskDefinition.taskRole);
      if (workerQueues.some((queue) => queue.idempotency)) idempotency!.grantRecords(this.workers.taskDefinition.taskRole);
    }

    if (props.outbox) {
      this.outbox = new OutboxTable(this, 'Outbox', {
        tableName: outboxTableName(prefix),
        depsLockFilePath: lockFileOf(projectRoot),
        environment: { [DEPLOYED_ENVIRONMENT.stage]: this.topology.stage, [DEPLOYED_ENVIRONMENT.accountId]: this.account },
      });
      // The relay sends what the outbox holds: any event of the topology's topics, any of its commands.
      if (this.topics.size > 0) {
        this.grantPublish(this.outbox.relayRole);
        Validations.of(this.outbox.relayRole).acknowledge({
          id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason: "SNS asks for a data key of the topics' own key on the publisher's behalf; the wildcard is the GenerateDataKey family on that one key.",
        });
      }
      if (this.topology.queues.some((queue) => queue.role === 'command')) this.grantSend(this.outbox.relayRole);
      this.monitoring.monitorOutbox('Outbox', this.outbox);
      new CfnOutput(this, 'OutboxTableName', { value: this.outbox.table.tableName });
    }
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


  /** Writes the build context of the worker image into the cloud assembly's directory; returns its path. */
  private workerImage(queueIds: readonly string[], projectRoot: string, workersModule: string | undefined): string {
    const directory = path.join(Stage.of(this)!.outdir, `${this.artifactId}.worker-image`);
    if (!this.bundlingRequired) return writeWorkerImage(directory, { projectRoot });
    if (workersModule === undefined) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `stack ${this.stackName}: topology '${this.topology.app}' has worker queues (${queueIds.join(', ')}) but no workers module for its worker image; ` +
          'set `workers` in postbox.config.ts (MessagingStack prop workersModule) to the module that exports default defineWorkers(topology, { ... })',
      );
    }
    return writeWorkerImage(directory, { projectRoot, workersModule });
  }

  /**
   * Lets the grantee publish the topology's events: sns:Publish on every topic (PublishBatch included),
   * kms:GenerateDataKey* and kms:Decrypt on the topics' key, which SNS uses on the publisher's behalf, and
   * s3:PutObject of payloads over the limit into the payload bucket. Nothing else: a `Publisher` makes topic ARNs
   * from their names, without listing topics.
   */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    const topicArns = [...this.topics.values()].map((topic) => topic.topic.topicArn);
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: topicArns }).combine(
      this.topicKey.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey*'),
    );
    return this.payloads ? grant.combine(this.payloads.grantWritePayloads(grantee)) : grant;
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

/** `invoice-generate` → `InvoiceGenerate`: a stable construct id for a logical name. */
function constructId(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
