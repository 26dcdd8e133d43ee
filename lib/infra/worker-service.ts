import { type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import type { DurableQueue } from './durable-queue.ts';
import type { JobLockTable } from './job-lock-table.ts';

/** Fargate allows at most 120 s between SIGTERM and SIGKILL. */
const MAX_STOP_TIMEOUT_SECONDS = 120;
/** The worker's long poll: stop lets the one under way return before the grace period starts. */
const LONG_POLL_SECONDS = 20;

export interface WorkerServiceProps {
  /** Queues the workers consume, with their dead-letter queues. */
  readonly queues: readonly DurableQueue[];
  /**
   * Build context of the worker image, built at deploy time: a Dockerfile and what it copies, whose
   * program takes the task definition's command (`node postbox-worker.mjs --health-port 8080 --grace N`).
   * MessagingStack writes one with `writeWorkerImage` (the service's workers bundled, nothing else).
   */
  readonly imageDirectory: string;
  /**
   * Environment of the worker container (stage, log level). Holds no secrets.
   * @default none
   */
  readonly environment?: Record<string, string>;
  /**
   * Table of the locks that keep unique jobs unique across tasks; the tasks may
   * take and release locks in it, and find it in POSTBOX_JOB_LOCK_TABLE.
   * @default none: a unique job is unique within its task only
   */
  readonly jobLocks?: JobLockTable;
  /**
   * VPC of the service (an existing one, `ec2.Vpc.fromLookup`, in any profile); tasks run in its subnets of `networking`.
   * @default a new VPC of 2 AZs with flow logs: with one NAT gateway for `private` networking, none for `public`
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Where the tasks run: `private` subnets reaching AWS through a NAT gateway (about $33 a month), or `public` subnets
   * with a public IP per running task and no NAT gateway (no inbound traffic either way: the security group allows none).
   * @default 'private'
   */
  readonly networking?: 'private' | 'public';
  /**
   * Container Insights on the cluster. The scaling reads its running-task count to keep the backlog per task at
   * `backlogPerTaskTarget`; without it the service scales on the queues' backlog alone (one task per
   * `backlogPerTaskTarget` messages), and scales in as soon as the backlog shrinks.
   * @default true
   */
  readonly containerInsights?: boolean;
  /**
   * vCPU units of a task (256 = 0.25 vCPU).
   * @default 512
   */
  readonly cpu?: number;
  /**
   * Memory of a task in MiB.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;
  /**
   * How long running tasks may finish after SIGTERM before they are released.
   * The stop timeout covers it plus the long poll under way.
   * @default Duration.seconds(60)
   */
  readonly shutdownGrace?: Duration;
  /**
   * Tasks when idle: 0 scales to zero when the queues are empty.
   * @default 1
   */
  readonly minTasks?: number;
  /**
   * Most tasks.
   * @default 10
   */
  readonly maxTasks?: number;
  /**
   * Messages per running task, waiting or in flight, from which the service
   * scales out (one more task from this, two from twice this, five from five
   * times this). It scales in only when the queues hold no message at all.
   * @default 10
   */
  readonly backlogPerTaskTarget?: number;
  /**
   * Retention of the worker logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The polling workers as an ECS Fargate service on arm64: an image built from
 * `imageDirectory` at deploy time, permission to consume (and send again to) its queues, dead-letter into
 * their DLQs and protect its own tasks from scale-in, and nothing else, a container health check
 * on the worker's heartbeat endpoint, a stop timeout that covers the graceful
 * shutdown, and scaling on the load per task (messages waiting or in flight
 * divided by running tasks; without Container Insights, the backlog alone),
 * down to zero tasks if asked. The service starts only once its subnets'
 * routes out (NAT or internet gateway) exist.
 */
export class WorkerService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly service: ecs.FargateService;
  readonly logGroup: logs.LogGroup;
  readonly scaling: ecs.ScalableTaskCount;
  /**
   * What the scaling reads: messages of the worker queues, waiting or in flight, per running task (with Container
   * Insights), else in all.
   */
  readonly backlogPerTask: cloudwatch.MathExpression;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const grace = props.shutdownGrace ?? Duration.seconds(60);
    const stopTimeoutSeconds = grace.toSeconds() + LONG_POLL_SECONDS + 10;
    if (stopTimeoutSeconds > MAX_STOP_TIMEOUT_SECONDS) {
      throw new RangeError(
        `WorkerService ${id}: a shutdown grace of ${grace.toSeconds()} s needs a stop timeout of ${stopTimeoutSeconds} s, over Fargate's ${MAX_STOP_TIMEOUT_SECONDS} s; use at most ${MAX_STOP_TIMEOUT_SECONDS - LONG_POLL_SECONDS - 10} s.`,
      );
    }
    const publicNetworking = props.networking === 'public';
    const containerInsights = props.containerInsights ?? true;
    const vpc = props.vpc ?? this.ownVpc(publicNetworking);
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: containerInsights ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED });
    if (!containerInsights) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions::AwsSolutions-ECS4',
        reason: 'Container Insights is off by choice (containerInsights: false, the development profile): its metrics are billed while nothing runs.',
      });
    }
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskDefinition.addContainer('Worker', {
      image: ecs.ContainerImage.fromAsset(props.imageDirectory, { platform: Platform.LINUX_ARM64 }),
      command: ['node', 'postbox-worker.mjs', '--health-port', '8080', '--grace', String(grace.toSeconds())],
      environment: { ...props.environment, ...(props.jobLocks && { [DEPLOYED_ENVIRONMENT.jobLockTable]: props.jobLocks.table.tableName }) },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'worker' }),
      stopTimeout: Duration.seconds(stopTimeoutSeconds),
      healthCheck: {
        command: ['CMD', 'node', '-e', "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      readonlyRootFilesystem: true,
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason: 'The environment holds the app and stage names only; no secrets.',
    });
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, which the execution role needs to pull the image, has no resource-level permissions.',
    });
    for (const queue of props.queues) {
      queue.grantConsumeMessages(this.taskDefinition.taskRole);
      // A stop sends a job on its last receive back as a copy, with a fresh receive count (see StopCopies).
      queue.grantSendMessages(this.taskDefinition.taskRole);
      queue.grantDeadLetterAccess(this.taskDefinition.taskRole);
    }
    props.jobLocks?.grantLocking(this.taskDefinition.taskRole);
    this.grantTaskProtection();
    const minTasks = props.minTasks ?? 1;
    const subnets: ec2.SubnetSelection = { subnetType: publicNetworking ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: minTasks,
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      vpcSubnets: subnets,
      assignPublicIp: publicNetworking,
    });
    // Tasks started before the routes out (NAT or internet gateway) exist cannot pull their image, and the circuit
    // breaker would roll the stack back.
    this.service.node.addDependency(vpc.selectSubnets(subnets).internetConnectivityEstablished);

    const target = props.backlogPerTaskTarget ?? 10;
    const maxTasks = props.maxTasks ?? 10;
    this.scaling = this.service.autoScaleTaskCount({ minCapacity: minTasks, maxCapacity: maxTasks });
    if (!containerInsights) {
      this.backlogPerTask = this.backlogExpression(props.queues, target, false);
      this.scaleOnBacklog(target, maxTasks);
      return;
    }
    this.backlogPerTask = this.backlogExpression(props.queues, target, true);
    // In-flight messages count: a task busy with hour-long jobs while nothing waits is not idle. A task holding messages
    // is protected (ScaleInProtection), but protection may lapse, so the service sheds a task only when no message is left.
    this.scaling.scaleOnMetric('BacklogPerTask', {
      metric: this.backlogPerTask,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: target, change: +1 },
        { lower: target * 2, change: +2 },
        { lower: target * 5, change: +5 },
      ],
      cooldown: Duration.minutes(1),
      evaluationPeriods: 1,
    });
  }

  /**
   * Without a running-task count: as many tasks as the backlog needs at `target` messages each, up to `maxTasks`
   * (exact counts, so the policy needs no count of what runs), and none for an empty backlog. The first message
   * wakes the first task: the upper alarm's step from 1 message sets the count to 1. A task stopped as the backlog
   * shrinks finishes within its grace or releases its messages, which return to the queue.
   */
  private scaleOnBacklog(target: number, maxTasks: number): void {
    const steps: appscaling.ScalingInterval[] = [{ upper: 0, change: 0 }];
    // Application Auto Scaling takes at most 20 steps: past them the last one asks for maxTasks.
    const stepCount = Math.min(maxTasks, 19);
    for (let tasks = 1; tasks <= stepCount; tasks++) steps.push({ lower: (tasks - 1) * target + 1, change: tasks === stepCount ? maxTasks : tasks });
    this.scaling.scaleOnMetric('Backlog', {
      metric: this.backlogPerTask,
      adjustmentType: appscaling.AdjustmentType.EXACT_CAPACITY,
      scalingSteps: steps,
      cooldown: Duration.minutes(1),
      evaluationPeriods: 1,
    });
  }

  /**
   * Messages of all queues, waiting or in flight; per running task when `perTask`. With no task running, any
   * message reads as the target, so zero tasks scale to one; a running-task count that has no data reads as zero.
   */
  private backlogExpression(queues: readonly DurableQueue[], target: number, perTask: boolean): cloudwatch.MathExpression {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    queues.forEach((queue, index) => {
      usingMetrics[`visible${index}`] = queue.metricVisibleMessages();
      usingMetrics[`inflight${index}`] = queue.metricInFlightMessages();
    });
    const messages = queues.map((_, index) => `FILL(visible${index}, 0) + FILL(inflight${index}, 0)`).join(' + ') || '0';
    if (!perTask) {
      return new cloudwatch.MathExpression({ expression: messages, usingMetrics, label: 'Messages waiting or in flight', period: Duration.minutes(1) });
    }
    usingMetrics.running = new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: 'Average',
      period: Duration.minutes(1),
    });
    return new cloudwatch.MathExpression({
      expression: `IF(FILL(running, 0) > 0, (${messages}) / running, IF((${messages}) > 0, ${target}, 0))`,
      usingMetrics,
      label: 'Messages waiting or in flight per running task',
      period: Duration.minutes(1),
    });
  }

  /**
   * A task keeps itself protected from scale-in and deploys while it holds messages (ScaleInProtection, through the ECS
   * agent). ecs:UpdateTaskProtection takes a task ARN; task ids are known only once tasks run, so the tightest grant is
   * every task of this service's own cluster.
   */
  private grantTaskProtection(): void {
    this.cluster.grants.taskProtection(this.taskDefinition.taskRole);
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const cluster = `<${stack.getLogicalId(this.cluster.node.defaultChild as CfnElement)}>`;
    Validations.of(this.taskDefinition.taskRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${region}:${account}:task/${cluster}/*]`,
      reason: "ecs:UpdateTaskProtection names the task, whose id is known only once it runs: the wildcard is the tasks of the workers' own cluster.",
    });
  }

  /** A VPC of 2 AZs with flow logs: public subnets only with `public` networking, else private ones behind one NAT gateway. */
  private ownVpc(publicNetworking: boolean): ec2.Vpc {
    if (!publicNetworking) return new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1, flowLogs: { FlowLogs: {} } });
    return new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
      flowLogs: { FlowLogs: {} },
    });
  }

  /** Running tasks, with Container Insights. */
  metricRunningTasks(): cloudwatch.IMetric | undefined {
    return this.backlogPerTask.usingMetrics.running;
  }
}
