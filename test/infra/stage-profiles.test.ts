import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { loadProjectConfig } from '../../lib/config/load-project-config.ts';
import type { StageProfile } from '../../lib/config/stage-profile.ts';
import { createMessagingApp } from '../../lib/infra/messaging-app.ts';
import { MessagingStack, type MessagingStackProps } from '../../lib/infra/messaging-stack.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

function exampleStack(profile: StageProfile, props: Partial<MessagingStackProps> = {}, app = appWithoutBundling()) {
  const stack = new MessagingStack(app, 'orders-dev', { topology: ordersTopology, stage: 'dev', env, outbox: true, profile, ...props });
  return { stack, template: Template.fromStack(stack) };
}

/** The KMS key of a topic, as an ARN with its intrinsics written out. */
function keyOfTopic(template: Template, topicName: string): string {
  const [topic] = Object.values(template.findResources('AWS::SNS::Topic', { Properties: { TopicName: topicName } }));
  const key = topic!.Properties.KmsMasterKeyId;
  return key['Fn::Join'] ? key['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : JSON.stringify(part))).join('') : JSON.stringify(key);
}

/** The alarms Postbox made, by construct id (the step-scaling alarms of the workers are the scaling's). */
const monitoringAlarms = (stack: MessagingStack) => stack.monitoring.alarms.map((alarm) => alarm.node.id).sort();

describe('the production profile', () => {
  const { stack, template } = exampleStack('production');

  it('alarms on every condition and keeps a dashboard', () => {
    expect(monitoringAlarms(stack)).toEqual(
      expect.arrayContaining(['notificationsOldestMessage', 'notificationsErrors', 'notificationsThrottles', 'ordersFailedNotifications', 'ordersUntypedPublishes', 'notificationsDeadLetters']),
    );
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('encrypts the topics with a customer-managed key, and keeps one worker task always ready behind a NAT gateway with Container Insights', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(stack.topicKey!.node.defaultChild as never), 'Arn'] } });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1 });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });
});

describe('the development profile', () => {
  const { stack, template } = exampleStack('development');

  it('alarms only where messages are lost (dead letters of queues, SNS deliveries and outbox sends; untyped publishes) and builds no dashboard', () => {
    const alarms = monitoringAlarms(stack);
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms.filter((id) => !/(DeadLetters|UntypedPublishes)$/.test(id))).toEqual([]);
    expect(alarms).toEqual(
      expect.arrayContaining(['notificationsDeadLetters', 'notificationsDeliveryDeadLetters', 'invoice-generateDeadLetters', 'OutboxSendDeadLetters', 'ordersUntypedPublishes']),
    );
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(stack.monitoring.dashboards).toEqual([]);
  });

  it("encrypts the topics with the AWS-managed key alias/aws/sns: the only customer-managed key is the alarm topic's, which CloudWatch needs", () => {
    expect(stack.topicKey).toBeUndefined();
    expect(keyOfTopic(template, 'orders-dev-orders')).toMatch(/:alias\/aws\/sns$/);
    const keys = Object.keys(template.findResources('AWS::KMS::Key'));
    expect(keys).toEqual([stack.getLogicalId(stack.monitoring.alarmTopic.masterKey!.node.defaultChild as never)]);
  });

  it('grants publishers sns:Publish and no key: the AWS-managed key lets the account publish through SNS', () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env, profile: 'development' });
    const grantee = new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
    stack.grantPublish(grantee);
    const policy = grantee.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    const statements = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(policy)].Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>;
    expect(statements.flatMap((statement) => [statement.Action].flat())).toContain('sns:Publish');
    expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('kms:'))).toEqual([]);
  });

  it('runs the workers from zero tasks to one, in public subnets, with no NAT gateway and no Container Insights', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 0, NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) } });
    // One task at most: the service scales in only from 1 to 0, when nothing waits or runs, never mid-job.
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 1 });
    const steps = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).flatMap((policy) =>
      policy.Properties.StepScalingPolicyConfiguration.StepAdjustments.map((step: { ScalingAdjustment: number }) => step.ScalingAdjustment),
    );
    expect(steps.sort()).toEqual([0, 1]);
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] });
  });

  it("wakes the first worker task on the worker queues' backlog: an alarm from 1 message whose step sets one task", () => {
    const analytics = stack.queues.get('analytics')!;
    const wake = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 } })).find(
      (alarm) => ((alarm.Properties.Metrics ?? []) as Array<{ MetricStat?: any }>).some((metric) => metric.MetricStat?.Metric.Dimensions[0].Value['Fn::GetAtt']?.[0] === stack.getLogicalId(analytics.queue.node.defaultChild as never)),
    );
    expect(wake).toBeDefined();
    const [policyRef] = wake!.Properties.AlarmActions as [{ Ref: string }];
    const policy = template.toJSON().Resources[policyRef.Ref].Properties.StepScalingPolicyConfiguration;
    expect(policy.AdjustmentType).toBe('ExactCapacity');
    expect(policy.StepAdjustments).toEqual([{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }]);
  });

  it("keeps a customer-managed key for a topic other accounts subscribe to: SNS delivers there only under a key whose policy lets it", () => {
    const topology = defineTopology({
      app: 'shop',
      events: { 'order.placed': { schema: z.object({ id: z.string() }) }, 'order.audited': { schema: z.object({ id: z.string() }) } },
      topics: { orders: { events: ['order.placed'], allowSubscribers: ['222222222222'] }, internal: { events: ['order.audited'] } },
    });
    const stack = new MessagingStack(appWithoutBundling(), 'shop-dev', { topology, stage: 'dev', env, profile: 'development' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'shop-dev-orders', KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(stack.topicKey!.node.defaultChild as never), 'Arn'] } });
    expect(keyOfTopic(template, 'shop-dev-internal')).toMatch(/:alias\/aws\/sns$/);
  });

  it("lets the stack's workers props win over the profile's", () => {
    const { template } = exampleStack('development', { workers: { minTasks: 1, networking: 'private', containerInsights: true } });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1 });
  });
});

describe.each(['production', 'development'] as const)('the %s profile', (profile) => {
  it('passes the AwsSolutions checks of cdk-nag, in one stack and in stack groups', () => {
    for (const stackGroups of [undefined, 3]) {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      exampleStack(profile, stackGroups ? { stackGroups } : {}, app);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const assembly = app.synth();
      const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
    }
  });
});

describe('the profile of a stage in postbox.config.ts', () => {
  it('is the config\'s for a stage it names, and development for any other, with a warning when the name reads as production', async () => {
    const config = await loadProjectConfig();
    expect(config.stages.profiles).toEqual({ prod: 'production' });
    const appFor = (stage: string) => new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } });
    expect((await createMessagingApp({ config, app: appFor('prod') })).profile).toBe('production');
    expect((await createMessagingApp({ config, app: appFor('dev') })).profile).toBe('development');
    const live = await createMessagingApp({ config, app: appFor('production') });
    expect(live.profile).toBe('development');
    const warnings = live.stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => String(entry.data));
    expect(warnings).toEqual([expect.stringContaining("stage 'production' is deployed with the development profile")]);
    const dev = await createMessagingApp({ config, app: appFor('dev') });
    expect(dev.stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning')).toEqual([]);
  });
});
