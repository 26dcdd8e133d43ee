import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { decodeDeployedQueue } from '../../lib/topology/deployed-queue.ts';
import { resolveQueueOf } from '../../lib/topology/resolve-topology.ts';
import { TopologyError } from '../../lib/topology/topology-error.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

function ordersTemplate(stage = 'dev') {
  const stack = new MessagingStack(appWithoutBundling(), `orders-${stage}`, { topology: ordersTopology, stage, env });
  return { stack, template: Template.fromStack(stack) };
}

type Resource = { Properties: Record<string, any> };
const queuesOf = (template: Template) => Object.entries(template.findResources('AWS::SQS::Queue')) as [string, Resource][];

describe('MessagingStack', () => {
  const { template } = ordersTemplate();
  const queues = queuesOf(template);
  const mainQueues = queues.filter(([, queue]) => queue.Properties.RedrivePolicy);
  const deadLetterQueues = queues.filter(([, queue]) => /-dlq(\.fifo)?$/.test(queue.Properties.QueueName));

  it('builds a main queue and a DLQ per subscriber and command, and a delivery DLQ per subscription', () => {
    expect(queues.map(([, queue]) => queue.Properties.QueueName).sort()).toEqual([
      'orders-dev-analytics',
      'orders-dev-analytics-delivery-dlq',
      'orders-dev-analytics-dlq',
      'orders-dev-invoice-generate',
      'orders-dev-invoice-generate-dlq',
      'orders-dev-notifications',
      'orders-dev-notifications-delivery-dlq',
      'orders-dev-notifications-dlq',
    ]);
  });

  it('encrypts every queue and gives each a TLS-only policy', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as Resource[];
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      const denies = policies.filter((policy) =>
        policy.Properties.Queues.some((ref: { Ref: string }) => ref.Ref === id) &&
        policy.Properties.PolicyDocument.Statement.some(
          (statement: any) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
      );
      expect(denies, id).toHaveLength(1);
    }
  });

  it('gives every main queue a redrive policy to its own DLQ, one receive past the topology maxReceiveCount, for Postbox to dead-letter first', () => {
    expect(mainQueues).toHaveLength(3);
    for (const [, queue] of mainQueues) {
      const [dlqId] = queue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'];
      const dlq = template.toJSON().Resources[dlqId].Properties;
      expect(dlq.QueueName).toBe(`${queue.Properties.QueueName}-dlq`);
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(queue.Properties.QueueName.endsWith('analytics') ? 4 : 6);
    }
  });

  it('keeps dead letters 14 days, and lets each redrive DLQ be redriven to its source queue only', () => {
    expect(deadLetterQueues).toHaveLength(5);
    for (const [, dlq] of deadLetterQueues) expect(dlq.Properties.MessageRetentionPeriod).toBe(1_209_600);
    for (const [, dlq] of deadLetterQueues.filter(([, q]) => !q.Properties.QueueName.includes('delivery'))) {
      const source = dlq.Properties.QueueName.replace(/-dlq$/, '');
      expect(dlq.Properties.RedriveAllowPolicy).toEqual({
        redrivePermission: 'byQueue',
        sourceQueueArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sqs:eu-west-1:111111111111:${source}`]] }],
      });
    }
  });

  it('derives visibility timeouts from the handlers: 6 × Lambda timeout + batching window, or the worker timeout', () => {
    const visibility = Object.fromEntries(mainQueues.map(([, q]) => [q.Properties.QueueName, q.Properties.VisibilityTimeout]));
    expect(visibility).toEqual({
      'orders-dev-notifications': 92,
      'orders-dev-analytics': 3600,
      'orders-dev-invoice-generate': 360,
    });
  });

  it('runs a Lambda consumer for each Lambda handler, every event source reporting batch item failures', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Resource[];
    expect(mappings).toHaveLength(2);
    for (const mapping of mappings) expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumBatchingWindowInSeconds: 2 });
  });

  it("deploys each Lambda consumer with its queue resolved at synthesis, which its cold start reads instead of resolving the declaration", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    const deployed = functions.map((fn) => fn.Properties.Environment.Variables.POSTBOX_RESOLVED_QUEUE as string);
    const ids = deployed.map((text) => (JSON.parse(text) as { queue: { id: string } }).queue.id);
    expect([...ids].sort()).toEqual(['invoice-generate', 'notifications']);
    for (const [index, id] of ids.entries()) {
      expect(decodeDeployedQueue(ordersTopology, 'dev', id, deployed[index])?.queue).toEqual(resolveQueueOf(ordersTopology, { stage: 'dev', queue: id }).queue);
    }
  });

  it('subscribes each subscriber with the filter policy of the events it wants', () => {
    const filters = (Object.values(template.findResources('AWS::SNS::Subscription')) as Resource[]).map((s) => s.Properties.FilterPolicy);
    expect(filters).toEqual([
      { type: ['order.cancelled', 'order.placed'] },
      { type: ['order.cancelled'] },
    ]);
  });

  it('alarms on every DLQ holding at least one message', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const watched = alarms
      .filter((alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')
      .map((alarm) => {
        expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
        return alarm.Properties.Dimensions[0].Value['Fn::GetAtt'][0];
      });
    expect(watched.sort()).toEqual(deadLetterQueues.map(([id]) => id).sort());
  });

  it('alarms on backlog age, function errors and throttles, and failed topic deliveries, all to the alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const count = (metric: string) => alarms.filter((alarm) => alarm.Properties.MetricName === metric).length;
    expect(count('ApproximateAgeOfOldestMessage')).toBe(3);
    expect(count('Errors')).toBe(2);
    expect(count('Throttles')).toBe(2);
    expect(count('NumberOfNotificationsFailed')).toBe(1);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('alarms per topic on publishes without message attributes, which no subscription’s type filter lets through, and graphs them on the dashboard', () => {
    const topics = Object.values(template.findResources('AWS::SNS::Topic')).filter((topic: any) => topic.Properties.TopicName !== undefined);
    const alarms = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]).filter(
      (alarm) => alarm.Properties.MetricName === 'NumberOfNotificationsFilteredOut-NoMessageAttributes',
    );
    expect(alarms).toHaveLength(topics.length);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/SNS', Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
    const dashboard = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(dashboard.split('NumberOfNotificationsFilteredOut-NoMessageAttributes').length - 1).toBe(topics.length);
  });

  it("sets each queue's oldest-message alarm past the longest a healthy message lives: every attempt at the handler timeout, every backoff at its longest, plus 15 min", () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const thresholds = Object.fromEntries(
      alarms
        .filter((alarm) => alarm.Properties.MetricName === 'ApproximateAgeOfOldestMessage')
        .map((alarm) => {
          const [queueId] = alarm.Properties.Dimensions[0].Value['Fn::GetAtt'];
          return [template.toJSON().Resources[queueId].Properties.QueueName, alarm.Properties.Threshold];
        }),
    );
    expect(thresholds).toEqual({
      // 5 attempts of 15 s plus the 2 s batching window
      'orders-dev-notifications': 5 * 17 + 75 + 900,
      // 3 hour-long attempts; backoffs of 5, 10 s
      'orders-dev-analytics': 3 * 3600 + 15 + 900,
      // 5 attempts of 60 s; backoffs of 10, 20, 40, 80 s (under the 600 s cap)
      'orders-dev-invoice-generate': 5 * 60 + 150 + 900,
    });
  });

  it('caps each backoff of the healthy-message age at the queue backoff cap', () => {
    const topology = {
      ...ordersTopology,
      commandHandlers: {
        'invoice.generate': { ...ordersTopology.commandHandlers!['invoice.generate'], queue: { maxReceiveCount: 4, backoff: { baseSeconds: 100, capSeconds: 300 } } },
      },
    };
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology, stage: 'dev', env });
    const queueId = stack.getLogicalId(stack.queues.get('invoice-generate')!.queue.node.defaultChild as never);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      // 4 attempts of 60 s; backoffs of 100, 200, then 300 s (not 400)
      Threshold: 4 * 60 + 600 + 900,
      AlarmDescription: Match.stringLikeRegexp('^Queue invoice-generate: oldest message older than 29 minutes'),
    });
  });

  it('runs the analytics worker on Fargate with access to its own queue, the job lock table and reading payloads only', () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
    const analytics = stack.queues.get('analytics')!;
    const taskRole = stack.workers!.taskDefinition.taskRole;
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === stack.getLogicalId(taskRole.node.defaultChild as never)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const targets = statements.flatMap((statement: any) => [statement.Resource].flat().map((resource: any) => resource['Fn::GetAtt']?.[0]).filter(Boolean));
    const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
    expect([...new Set(targets)].sort()).toEqual([idOf(analytics.queue), idOf(analytics.deadLetterQueue), idOf(stack.jobLocks!.table), idOf(stack.payloads!.bucket)].sort());
    const lockActions = statements.filter((statement: any) => JSON.stringify(statement.Resource).includes(idOf(stack.jobLocks!.table))).flatMap((s: any) => s.Action);
    expect(lockActions.sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'orders-dev-job-locks',
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'POSTBOX_JOB_LOCK_TABLE', Value: { Ref: idOf(stack.jobLocks!.table) } }]) })],
    });
  });

  it('subscribes the alarm e-mail given in the props', () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-prod', { topology: ordersTopology, stage: 'prod', env, alarmEmail: 'ops@example.com' });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('passes the AwsSolutions checks of cdk-nag, every acknowledgment carrying a reason', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new MessagingStack(app, 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const violations = report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations);
    expect(violations).toEqual([]);
  });

  it('bundles each handler with esbuild into a minified ESM file with a source map', () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-bundling-')) });
    new MessagingStack(app, 'orders-dev', { topology: ordersTopology, stage: 'dev', env, workersModule: 'examples/orders/orders-workers.ts' });
    const assembly = app.synth();
    const assets = readdirSync(assembly.directory).filter(
      (name) => name.startsWith('asset.') && readdirSync(path.join(assembly.directory, name)).includes('index.mjs'),
    );
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      expect(readdirSync(path.join(assembly.directory, asset)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const code = readFileSync(path.join(assembly.directory, asset, 'index.mjs'), 'utf8');
      expect(code).toMatch(/export\{\w+ as handler\}/);
      const map = JSON.parse(readFileSync(path.join(assembly.directory, asset, 'index.mjs.map'), 'utf8'));
      expect(map.sources.some((source: string) => /functions\/[a-z-]+\.ts$/.test(source))).toBe(true);
    }
  });

  it("carries a FIFO topic's content-based deduplication to its SNS topic", () => {
    const dedup = {
      app: 'prices',
      events: { 'price.changed': { schema: z.object({}) } },
      topics: { prices: { events: ['price.changed'], fifo: true, contentBasedDeduplication: true } },
      subscribers: { catalog: { topic: 'prices', events: ['price.changed'], handler: { kind: 'worker' as const } } },
    };
    const stack = new MessagingStack(appWithoutBundling(), 'prices-dev', { topology: dedup, stage: 'dev', env, workersModule: 'workers.ts' });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Topic', { TopicName: 'prices-dev-prices.fifo', FifoTopic: true, ContentBasedDeduplication: true });
  });

  it('fails synthesis with one TopologyError naming each problem of a bad topology', () => {
    const bad = {
      app: 'orders',
      events: { 'order.placed': { schema: z.object({}) } },
      topics: { orders: { events: ['order.placed'], fifo: true } },
      subscribers: { billing: { topic: 'orders', events: ['order.shipped'], handler: { kind: 'worker' as const }, queue: { fifo: false } } },
    };
    expect(() => new MessagingStack(appWithoutBundling(), 'bad', { topology: bad as never, stage: 'dev' })).toThrowError(
      new TopologyError('orders', [
        "subscriber 'billing' wants unknown event type 'order.shipped'",
        "subscriber 'billing' has a standard queue but topic 'orders' is FIFO; a subscriber's queue is FIFO exactly when its topic is",
      ]),
    );
  });
});

describe('MessagingStack names', () => {
  it('namespaces every named resource with the stage, so stages share an account', () => {
    const names = (stage: string) => queuesOf(ordersTemplate(stage).template).map(([, q]) => q.Properties.QueueName as string);
    expect(names('prod').every((name) => name.startsWith('orders-prod-'))).toBe(true);
    expect(names('dev').filter((name) => names('prod').includes(name))).toEqual([]);
  });
});
