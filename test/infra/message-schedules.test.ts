import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

function stackWithSchedules(app = appWithoutBundling()) {
  const stack = new MessagingStack(app, 'orders-dev', { topology: ordersTopology, stage: 'dev', env, schedules: true, profile: 'production' });
  const publisher = new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
  stack.grantSchedule(publisher);
  return { stack, publisher, template: Template.fromStack(stack) };
}

const idOf = (stack: MessagingStack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('MessagingStack with schedules', () => {
  const { stack, publisher, template } = stackWithSchedules();
  const schedules = stack.schedules!;

  it('holds a schedule group named <app>-<stage> and a dead-letter queue of what could not be delivered, with an alarm on it', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'orders-dev' });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orders-dev-scheduler-dlq', SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    const alarm = stack.monitoring.alarms.find((candidate) => candidate.node.id === 'SchedulesDeadLetters');
    expect(alarm).toBeDefined();
  });

  it('delivers with a role that only this account\'s schedules of the group may assume, allowed to publish to the topics and send to the command queues only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-west-1:111111111111:schedule-group/orders-dev']] } },
            },
          }),
        ],
      },
    });
    const roleId = idOf(stack, schedules.role);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const allowed = statements.map((statement) => [[statement.Action].flat().join(','), JSON.stringify(statement.Resource)]);
    const topicArn = JSON.stringify({ Ref: idOf(stack, stack.topics.get('orders')!.topic) });
    const commandQueueArn = JSON.stringify({ 'Fn::GetAtt': [idOf(stack, stack.queues.get('invoice-generate')!.queue), 'Arn'] });
    const dlqArn = JSON.stringify({ 'Fn::GetAtt': [idOf(stack, schedules.deadLetterQueue), 'Arn'] });
    expect(allowed).toEqual(
      expect.arrayContaining([
        ['sns:Publish', topicArn],
        ['sqs:SendMessage', dlqArn],
        ['sqs:SendMessage', commandQueueArn],
      ]),
    );
    expect(allowed.filter(([action]) => /^(sqs|sns):/.test(action ?? ''))).toHaveLength(3);
    // No subscriber queue: schedules send commands, and publish events to the topic that fans them out.
    expect(JSON.stringify(statements)).not.toContain(idOf(stack, stack.queues.get('notifications')!.queue));
  });

  it('grants a publisher to create and delete the group\'s schedules, and to pass the delivery role to EventBridge Scheduler only', () => {
    const policy = publisher.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    const statements = template.toJSON().Resources[stack.getLogicalId(policy)].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-west-1:111111111111:schedule/orders-dev/*']] },
      },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [idOf(stack, schedules.role), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
  });

  it('tells every function where the group, role and dead-letter queue are', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) => fn.Properties.Environment?.Variables?.POSTBOX_STAGE);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        POSTBOX_SCHEDULE_GROUP: 'orders-dev',
        POSTBOX_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [idOf(stack, schedules.role), 'Arn'] },
        POSTBOX_SCHEDULER_DLQ_ARN: { 'Fn::GetAtt': [idOf(stack, schedules.deadLetterQueue), 'Arn'] },
      });
    }
  });

  it('passes the AwsSolutions checks of cdk-nag', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stackWithSchedules(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const report = JSON.parse(readFileSync(path.join(app.synth().directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
  });
});

// Found by a new user's trial of issue 23: in an environment-agnostic stack (the scaffold's), cdk-nag failed synthesis
// on grantSchedule's wildcard over the stage's schedule group.
describe('grantSchedule in an environment-agnostic stack', () => {
  it('passes the AwsSolutions checks of cdk-nag: the wildcard over its own schedule group is acknowledged', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new MessagingStack(app, 'orders-dev', { topology: ordersTopology, stage: 'dev', schedules: true, profile: 'production' });
    stack.grantSchedule(new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const report = JSON.parse(readFileSync(path.join(app.synth().directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
  });
});

describe('MessagingStack without schedules', () => {
  it('builds none, and refuses to grant scheduling, saying how to turn it on', () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
    expect(stack.schedules).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => stack.grantSchedule(role)).toThrowError(/has no schedules to grant: set `schedules: true` in postbox.config.ts/);
  });
});
