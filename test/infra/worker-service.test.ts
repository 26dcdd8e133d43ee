import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DurableQueue } from '../../lib/infra/durable-queue.ts';
import { writeWorkerImage } from '../../lib/infra/worker-image.ts';
import { WorkerService, type WorkerServiceProps } from '../../lib/infra/worker-service.ts';
import { emptyStack } from '../helpers/cdk.ts';

function build(props: Partial<Omit<WorkerServiceProps, 'queues'>> = {}) {
  const stack = emptyStack();
  const queue = new DurableQueue(stack, 'Jobs', { queueName: 'app-dev-jobs', deadLetterQueueName: 'app-dev-jobs-dlq' });
  const other = new DurableQueue(stack, 'Other', { queueName: 'app-dev-other', deadLetterQueueName: 'app-dev-other-dlq' });
  // The image's build context as MessagingStack stages it when bundling is skipped: the Dockerfile alone.
  const imageDirectory = writeWorkerImage(mkdtempSync(path.join(tmpdir(), 'postbox-image-')), { projectRoot: process.cwd() });
  const workers = new WorkerService(stack, 'Workers', { queues: [queue], imageDirectory, environment: { POSTBOX_STAGE: 'dev' }, ...props });
  return { stack, queue, other, workers, template: Template.fromStack(stack) };
}

const idOf = (stack: ReturnType<typeof build>['stack'], construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('WorkerService', () => {
  it('runs the worker image on Fargate arm64 with a health check on its heartbeat endpoint', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Cpu: '512',
      Memory: '1024',
      ContainerDefinitions: [
        Match.objectLike({
          Command: ['node', 'postbox-worker.mjs', '--health-port', '8080', '--grace', '60'],
          HealthCheck: Match.objectLike({ Command: ['CMD', 'node', '-e', Match.stringLikeRegexp('127.0.0.1:8080/health')] }),
          StopTimeout: 90,
          ReadonlyRootFilesystem: true,
          Environment: [{ Name: 'POSTBOX_STAGE', Value: 'dev' }],
        }),
      ],
    });
  });

  it('builds the arm64 image from its build context at deploy time: synthesis only stages that directory', () => {
    const { stack } = build();
    const assembly = (stack.node.root as App).synth();
    const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
    const images = Object.values(manifest.dockerImages) as Array<{ source: { directory: string; platform?: string } }>;
    expect(images).toHaveLength(1);
    expect(images[0]!.source.platform).toBe('linux/arm64');
    expect(readdirSync(path.join(assembly.directory, images[0]!.source.directory))).toEqual(['Dockerfile']);
  });

  it('lets the task consume its queues and dead-letter into their DLQs, and touch no other queue', () => {
    const { template, stack, queue, other } = build();
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => /TaskRole/.test(role.Ref)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const queueStatements = statements.filter((statement: { Resource: unknown }) => (statement.Resource as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt']);
    const resources = [...new Set(queueStatements.map((statement: { Resource: { 'Fn::GetAtt': [string] } }) => statement.Resource['Fn::GetAtt'][0]))].sort();
    expect(resources).toEqual([idOf(stack, queue.queue), idOf(stack, queue.deadLetterQueue)].sort());
    // Its own queue too: a stop sends a job on its last receive again (StopCopies).
    const sendsTo = queueStatements.filter((statement: { Action: string | string[] }) => [statement.Action].flat().includes('sqs:SendMessage'));
    expect(sendsTo.map((statement: { Resource: { 'Fn::GetAtt': [string] } }) => statement.Resource['Fn::GetAtt'][0]).sort()).toEqual(
      [idOf(stack, queue.queue), idOf(stack, queue.deadLetterQueue)].sort(),
    );
    expect(resources).not.toContain(idOf(stack, other.queue));
    expect(statements.flatMap((statement: { Action: string[] }) => statement.Action)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:SendMessage']),
    );
  });

  it("lets the task protect itself from scale-in: ecs:UpdateTaskProtection on its own cluster's tasks only", () => {
    const { template, stack, workers } = build();
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => /TaskRole/.test(role.Ref)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: { Action: string | string[] }) => [statement.Action].flat().some((action) => action.startsWith('ecs:')));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'ecs:UpdateTaskProtection',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecs:${stack.region}:${stack.account}:task/`, { Ref: idOf(stack, workers.cluster) }, '/*']],
        },
      },
    ]);
  });

  it('scales on the messages per running task, waiting or in flight, scaling out from the documented backlog per task', () => {
    const { template, stack, queue } = build({ maxTasks: 6, backlogPerTaskTarget: 20 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 6 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { PolicyType: 'StepScaling' });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const metrics = alarms[0]!.Properties.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: any }>;
    const queueMetric = (name: string) =>
      metrics.find((metric) => metric.MetricStat?.Metric.MetricName === name && metric.MetricStat.Metric.Dimensions[0].Value['Fn::GetAtt'][0] === idOf(stack, queue.queue));
    const visible = queueMetric('ApproximateNumberOfMessagesVisible');
    const inFlight = queueMetric('ApproximateNumberOfMessagesNotVisible');
    expect(visible && inFlight).toBeTruthy();
    const expression = metrics.find((metric) => metric.Expression)!.Expression;
    const messages = `FILL(${visible!.Id}, 0) + FILL(${inFlight!.Id}, 0)`;
    expect(expression).toBe(`IF(FILL(running, 0) > 0, (${messages}) / running, IF((${messages}) > 0, 20, 0))`);
    const thresholds = alarms.map((alarm) => [alarm.Properties.ComparisonOperator, alarm.Properties.Threshold]);
    expect(thresholds).toEqual(
      expect.arrayContaining([
        ['LessThanOrEqualToThreshold', 0],
        ['GreaterThanOrEqualToThreshold', 20],
      ]),
    );
    expect(thresholds).toHaveLength(2);
  });

  it('starts the service only once the NAT routes of its private subnets exist, so the first tasks can pull their image', () => {
    const { template } = build();
    const natRoutes = Object.entries(template.findResources('AWS::EC2::Route', { Properties: { NatGatewayId: Match.anyValue() } })).map(([id]) => id);
    expect(natRoutes).toHaveLength(2);
    const [service] = Object.values(template.findResources('AWS::ECS::Service'));
    expect(service!.DependsOn).toEqual(expect.arrayContaining(natRoutes));
  });

  it('runs in public subnets with a public IP and no NAT gateway with public networking, starting once the internet routes exist', () => {
    const { template } = build({ networking: 'public' });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    expect(Object.keys(template.findResources('AWS::EC2::Subnet', { Properties: { MapPublicIpOnLaunch: false } }))).toEqual([]);
    template.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) } });
    const internetRoutes = Object.keys(template.findResources('AWS::EC2::Route', { Properties: { GatewayId: Match.anyValue() } }));
    expect(internetRoutes).toHaveLength(2);
    const [service] = Object.values(template.findResources('AWS::ECS::Service'));
    expect(service!.DependsOn).toEqual(expect.arrayContaining(internetRoutes));
  });

  it('keeps tasks in private subnets without a public IP by default', () => {
    const { template } = build();
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) } });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  it('without Container Insights, wakes the first task from zero on one message and sets one task per backlogPerTaskTarget messages', () => {
    const { template, stack, queue } = build({ minTasks: 0, maxTasks: 3, backlogPerTaskTarget: 10, containerInsights: false });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 0 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 3 });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // The backlog alone: messages waiting or in flight in the worker queues, no running-task count.
    for (const alarm of alarms) {
      const metrics = alarm.Properties.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: any }>;
      expect(metrics.filter((metric) => metric.MetricStat).map((metric) => [metric.MetricStat.Metric.MetricName, metric.MetricStat.Metric.Dimensions[0].Value['Fn::GetAtt'][0]])).toEqual(
        expect.arrayContaining([
          ['ApproximateNumberOfMessagesVisible', idOf(stack, queue.queue)],
          ['ApproximateNumberOfMessagesNotVisible', idOf(stack, queue.queue)],
        ]),
      );
      expect(metrics.some((metric) => metric.MetricStat?.Metric.MetricName === 'RunningTaskCount')).toBe(false);
    }
    const wake = alarms.find((alarm) => alarm.Properties.ComparisonOperator === 'GreaterThanOrEqualToThreshold')!;
    expect(wake.Properties.Threshold).toBe(1);
    const sleep = alarms.find((alarm) => alarm.Properties.ComparisonOperator === 'LessThanOrEqualToThreshold')!;
    expect(sleep.Properties.Threshold).toBe(0);
    const policies = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map((policy) => policy.Properties.StepScalingPolicyConfiguration);
    expect(policies.every((policy) => policy.AdjustmentType === 'ExactCapacity')).toBe(true);
    // Bounds are relative to the alarm's threshold: from 1 message one task, from 11 two, from 21 three; none at 0.
    const steps = policies.flatMap((policy) => policy.StepAdjustments).map((step: any) => [step.MetricIntervalLowerBound, step.MetricIntervalUpperBound, step.ScalingAdjustment]);
    expect(steps).toEqual(
      expect.arrayContaining([
        [undefined, 0, 0],
        [0, 10, 1],
        [10, 20, 2],
        [20, undefined, 3],
      ]),
    );
    expect(steps).toHaveLength(4);
  });

  it('scales to zero tasks when asked', () => {
    const { template } = build({ minTasks: 0 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0 });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 0 });
  });

  it('refuses a grace period the Fargate stop timeout cannot cover', () => {
    expect(() => build({ shutdownGrace: Duration.seconds(100) })).toThrowError(
      "WorkerService Workers: a shutdown grace of 100 s needs a stop timeout of 130 s, over Fargate's 120 s; use at most 90 s.",
    );
  });
});
