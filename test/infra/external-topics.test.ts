import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as z from 'zod/mini';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { billingTopology as billingExample } from '../../examples/billing/billing-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { contractOf } from '../../lib/topology/service-contract.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { lintTemplate } from '../helpers/cfn-lint.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const Placed = z.object({ orderId: z.string() });
const lambda = (entry: string) => ({ kind: 'lambda', entry }) as const;

const orders = defineTopology({
  app: 'orders',
  events: { 'order.placed': { schema: Placed } },
  topics: { orders: { events: ['order.placed'], allowSubscribers: ['222222222222', 'o-abc123def4'] } },
});
const ordersContract = contractOf(orders, { stages: ['dev', 'prod'] });

const billing = defineTopology({
  app: 'billing',
  events: { ...ordersContract.events },
  topics: {},
  externalTopics: {
    orders: { service: 'orders', topic: 'orders', events: ['order.placed'], contract: ordersContract },
    partner: { arn: 'arn:aws:sns:eu-west-1:333333333333:partner-prod-orders', events: ['order.placed'] },
    asia: { arn: 'arn:aws:sns:ap-east-1:333333333333:partner-prod-orders', events: ['order.placed'] },
  },
  subscribers: {
    charges: { topic: 'orders', events: ['order.placed'], handler: lambda('functions/notifications.ts') },
    partners: { topic: 'partner', events: ['order.placed'], handler: lambda('functions/notifications.ts') },
    asian: { topic: 'asia', events: ['order.placed'], handler: lambda('functions/notifications.ts') },
  },
});

const subscriberStack = (app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })) => new MessagingStack(app, 'billing-dev', { topology: billing, stage: 'dev', env });

describe("a subscriber of another service's topic", () => {
  const stack = subscriberStack();
  const template = Template.fromStack(stack);
  const queueArn = (id: string) => ({ 'Fn::GetAtt': [stack.getLogicalId(stack.queues.get(id)!.queue.node.defaultChild as never), 'Arn'] });

  it('subscribes its queue to the topic by ARN, raw, with the type filter: by name in its own account and region, or as given', () => {
    for (const [queue, topicArn] of [
      ['charges', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-west-1:111111111111:orders-dev-orders']] }],
      ['partners', 'arn:aws:sns:eu-west-1:333333333333:partner-prod-orders'],
    ] as const) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        TopicArn: topicArn,
        Endpoint: queueArn(queue),
        RawMessageDelivery: true,
        FilterPolicy: { type: ['order.placed'] },
        RedrivePolicy: Match.objectLike({ deadLetterTargetArn: Match.anyValue() }),
      });
    }
  });

  it('lets exactly that topic send to the queue, with the SNS principal of the topic’s region (an opt-in region’s own)', () => {
    const statements = Object.values(template.findResources('AWS::SQS::QueuePolicy')).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    const delivery = (topicArn: unknown, principal?: string) =>
      statements.find((statement: any) => JSON.stringify(statement.Condition?.ArnEquals?.['aws:SourceArn']) === JSON.stringify(topicArn) && (!principal || statement.Principal.Service === principal));
    const ordersArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-west-1:111111111111:orders-dev-orders']] };
    expect(delivery(ordersArn)).toMatchObject({ Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { Service: 'sns.amazonaws.com' } });
    expect(delivery('arn:aws:sns:eu-west-1:333333333333:partner-prod-orders')).toMatchObject({ Principal: { Service: 'sns.amazonaws.com' } });
    expect(delivery('arn:aws:sns:ap-east-1:333333333333:partner-prod-orders', 'sns.ap-east-1.amazonaws.com')).toMatchObject({ Action: 'sqs:SendMessage' });
    // The subscription's delivery DLQ too, or what SNS could not deliver from that region would be dropped.
    const deliveryDlq = stack.subscriptions.get('asian')!.deliveryDeadLetterQueue;
    const dlqPolicy = Object.values(template.findResources('AWS::SQS::QueuePolicy')).find((policy: any) =>
      JSON.stringify(policy.Properties.Queues) === JSON.stringify([{ Ref: stack.getLogicalId(deliveryDlq.node.defaultChild as never) }]),
    ) as any;
    expect(dlqPolicy.Properties.PolicyDocument.Statement.map((statement: any) => statement.Principal.Service).filter(Boolean)).toContain('sns.ap-east-1.amazonaws.com');
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: 'arn:aws:sns:ap-east-1:333333333333:partner-prod-orders', Region: 'ap-east-1' });
  });

  it('names the topic region’s own SNS principal on the queue and its delivery DLQ for a region CDK does not know yet (opt-in, as every new region)', () => {
    const future = 'arn:aws:sns:xx-future-1:333333333333:partner-prod-orders';
    const topology = defineTopology({
      ...billing,
      externalTopics: { future: { arn: future, events: ['order.placed'] } },
      subscribers: { later: { topic: 'future', events: ['order.placed'], handler: lambda('functions/notifications.ts') } },
    });
    const later = new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'billing-dev', { topology, stage: 'dev', env });
    const policies = Template.fromStack(later).findResources('AWS::SQS::QueuePolicy');
    const sendersOf = (queue: { node: { defaultChild?: unknown } }) => {
      const policy = Object.values(policies).find((candidate: any) => JSON.stringify(candidate.Properties.Queues) === JSON.stringify([{ Ref: later.getLogicalId(queue.node.defaultChild as never) }])) as any;
      return policy.Properties.PolicyDocument.Statement.filter((statement: any) => statement.Condition?.ArnEquals?.['aws:SourceArn'] === future).map((statement: any) => statement.Principal.Service);
    };
    expect(sendersOf(later.queues.get('later')!.queue)).toContain('sns.xx-future-1.amazonaws.com');
    expect(sendersOf(later.subscriptions.get('later')!.deliveryDeadLetterQueue)).toContain('sns.xx-future-1.amazonaws.com');
  });

  it('names both the global and the opt-in topic region’s SNS principal when the stack has no region', () => {
    const agnostic = new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'billing-dev', { topology: billing, stage: 'dev' });
    const statements = Object.values(Template.fromStack(agnostic).findResources('AWS::SQS::QueuePolicy')).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    const principals = statements
      .filter((statement: any) => statement.Condition?.ArnEquals?.['aws:SourceArn'] === 'arn:aws:sns:ap-east-1:333333333333:partner-prod-orders')
      .flatMap((statement: any) => [statement.Principal.Service].flat());
    expect(new Set(principals)).toEqual(new Set(['sns.amazonaws.com', 'sns.ap-east-1.amazonaws.com']));
  });

  it('in an opt-in region, lets a topic of another region deliver as SNS of its own region, to the queue and its delivery DLQ', () => {
    const gulf = defineTopology({ ...billing, externalTopics: { partner: billing.externalTopics!.partner }, subscribers: { partners: billing.subscribers!.partners } });
    const stack = new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'billing-dev', { topology: gulf, stage: 'dev', env: { account: '222222222222', region: 'me-south-1' } });
    const template = Template.fromStack(stack);
    const holders = [stack.queues.get('partners')!.queue, stack.subscriptions.get('partners')!.deliveryDeadLetterQueue].map((queue) => stack.getLogicalId(queue.node.defaultChild as never));
    for (const holder of holders) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: holder }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.me-south-1.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:333333333333:partner-prod-orders' } },
            }),
          ]),
        },
      });
    }
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: 'arn:aws:sns:eu-west-1:333333333333:partner-prod-orders', Region: 'eu-west-1', RawMessageDelivery: true });
  });

  it('subscribes a FIFO queue, with a FIFO delivery DLQ, to a FIFO topic of another service', () => {
    const ordered = defineTopology({
      ...billing,
      externalTopics: { ledger: { service: 'orders', topic: 'ledger', fifo: true, events: ['order.placed'] } },
      subscribers: { books: { topic: 'ledger', events: ['order.placed'], handler: { kind: 'lambda', entry: 'functions/notifications.ts', batchSize: 10 } } },
    });
    const template = Template.fromStack(new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'billing-dev', { topology: ordered, stage: 'dev', env }));
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-west-1:111111111111:orders-dev-ledger.fifo']] },
      RawMessageDelivery: true,
      FilterPolicy: { type: ['order.placed'] },
    });
    for (const name of ['billing-dev-books.fifo', 'billing-dev-books-dlq.fifo', 'billing-dev-books-delivery-dlq.fifo']) {
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: name, FifoQueue: true });
    }
  });

  it('keeps the queue, its DLQs and their alarms in its own stack, and no topic of its own', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1); // the alarm topic only
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'billing-dev-charges' });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'billing-dev-charges-dlq' });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'billing-dev-charges-delivery-dlq' });
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.filter((id) => id.startsWith('Monitoringcharges'))).toHaveLength(5);
  });

  it('stops synthesis on a mismatch with the publisher’s contract, naming the service, topic and event', () => {
    const wrongStage = defineTopology({ ...billing, externalTopics: { orders: billing.externalTopics!.orders }, subscribers: { charges: billing.subscribers!.charges } });
    expect(() => new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'billing-qa', { topology: wrongStage, stage: 'qa', env })).toThrow(
      "external topic 'orders': service 'orders' has no stage 'qa' (it deploys dev, prod); set the external topic's stage",
    );
  });

  it('names the declaration’s problems and the contract’s together, in one error', () => {
    const both = defineTopology({
      ...billing,
      externalTopics: { orders: { ...billing.externalTopics!.orders, events: ['order.placed', 'order.shipped' as 'order.placed'] } },
      subscribers: { charges: billing.subscribers!.charges },
    });
    const synthesis = () => new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'billing-qa', { topology: both, stage: 'qa', env });
    expect(synthesis).toThrow(
      expect.objectContaining({
        problems: [
          "external topic 'orders' carries event type 'order.shipped', which is not declared; declare it under events with the schema this service reads it by (spread the publisher's contract.events)",
          "external topic 'orders': service 'orders' has no stage 'qa' (it deploys dev, prod); set the external topic's stage",
          "service 'orders' topic 'orders' event 'order.shipped': the publisher does not carry it; remove it from the external topic",
        ],
      }),
    );
  });

  it('warns at synthesis of an event declared at a version behind the publisher’s, and goes on', () => {
    const behind = defineTopology({
      ...billing,
      events: { 'order.placed': { schema: Placed, version: 1 } },
      externalTopics: { orders: { ...billing.externalTopics!.orders, contract: { ...ordersContract, events: { 'order.placed': { schema: Placed, version: 3 } } } } },
      subscribers: { charges: billing.subscribers!.charges },
    });
    const stack = new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'billing-dev', { topology: behind, stage: 'dev', env });
    Annotations.fromStack(stack).hasWarning(
      '/billing-dev',
      Match.stringLikeRegexp("service 'orders' topic 'orders' event 'order.placed': declared here at version 1, the publisher is at version 3"),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { QueueName: 'billing-dev-charges' });
  });

  it('passes cdk-nag and cfn-lint with its serverless rules', async () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-external-')), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = subscriberStack(app);
    new MessagingStack(app, 'orders-dev', { topology: orders, stage: 'dev', env });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
    for (const name of [stack.stackName, 'orders-dev']) {
      const { blocking } = await lintTemplate(assembly.getStackByName(name).templateFullPath);
      expect(blocking).toEqual([]);
    }
  });
});

describe('a publisher that allows subscribers of other accounts', () => {
  const stack = new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'orders-dev', { topology: orders, stage: 'dev', env });
  const template = Template.fromStack(stack);
  const topicArn = { Ref: stack.getLogicalId(stack.topics.get('orders')!.topic.node.defaultChild as never) };

  it('lets those accounts and organizations subscribe SQS queues only', () => {
    const statements = (Object.values(template.findResources('AWS::SNS::TopicPolicy')) as any[]).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Allow', Action: 'sns:Subscribe', Resource: topicArn, Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } }, Condition: { StringEquals: { 'sns:Protocol': 'sqs' } } }),
        expect.objectContaining({ Effect: 'Allow', Action: 'sns:Subscribe', Resource: topicArn, Principal: { AWS: '*' }, Condition: { StringEquals: { 'sns:Protocol': 'sqs', 'aws:PrincipalOrgID': ['o-abc123def4'] } } }),
      ]),
    );
  });

  it('lets SNS use the topic key to deliver, on behalf of that topic only', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key')) as any[];
    const statements = keys.flatMap((key) => key.Properties.KeyPolicy.Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-west-1:111111111111:orders-dev-orders']] } } },
      }),
    );
  });

  it('alarms when a publish without message attributes (no type) reached no subscriber', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'NumberOfNotificationsFilteredOut-NoMessageAttributes',
      Namespace: 'AWS/SNS',
      Threshold: 1,
      Dimensions: [{ Name: 'TopicName', Value: Match.anyValue() }],
    });
  });

  it('graphs each topic on the dashboard: publishes, failed deliveries, and publishes without attributes', () => {
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const metric of ['NumberOfMessagesPublished', 'NumberOfNotificationsFailed', 'NumberOfNotificationsFilteredOut-NoMessageAttributes']) {
      expect(body).toContain(`\\"AWS/SNS\\",\\"${metric}\\",\\"TopicName\\"`);
    }
  });

  it('has no subscription policy for other accounts when it allows none', () => {
    const closed = defineTopology({ ...orders, topics: { orders: { events: ['order.placed'] } } });
    const statements = (Object.values(Template.fromStack(new MessagingStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'orders-dev', { topology: closed, stage: 'dev', env })).findResources('AWS::SNS::TopicPolicy')) as any[])
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.some((statement: any) => statement.Action === 'sns:Subscribe')).toBe(false);
  });
});

describe('a service of its own in a workspace (examples/billing)', () => {
  it('bundles its handlers with the nearest package-lock.json above it, having none of its own', () => {
    const projectRoot = fileURLToPath(new URL('../../examples/billing', import.meta.url));
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-billing-')) });
    const stack = new MessagingStack(app, 'billing-dev', { topology: billingExample, stage: 'dev', env, projectRoot });
    expect(app.synth().getStackByName(stack.stackName).template.Resources).toBeDefined();
  });
});
