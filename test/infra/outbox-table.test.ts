import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { createMessagingApp } from '../../lib/infra/messaging-app.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { lintTemplate } from '../helpers/cfn-lint.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

describe('MessagingStack with an outbox', () => {
  const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env, outbox: true });
  const template = Template.fromStack(stack);
  const outbox = stack.outbox!;
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  const statementsOf = (role: iam.IRole) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === idOf(role as iam.Role)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);

  it('makes an encrypted table with a stream of new images, point-in-time recovery and TTL, kept on stack deletion', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'orders-dev-outbox',
        KeySchema: [
          { AttributeName: 'aggregateKey', KeyType: 'HASH' },
          { AttributeName: 'position', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    });
  });

  it('relays the stream in batches with partial failures, bisecting and retrying, pending records only, giving up to a queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: idOf(outbox.relay) },
      EventSourceArn: { 'Fn::GetAtt': [idOf(outbox.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [idOf(outbox.failureQueue), 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { status: { S: ['pending'] } } } }) }] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POSTBOX_OUTBOX_TABLE: 'orders-dev-outbox', POSTBOX_STAGE: 'dev', POSTBOX_ACCOUNT_ID: env.account }) },
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
  });

  it("grants the relay the topics and command queues as a publisher's, the table's batch reads, deletes and puts, and nothing of other tables", () => {
    const statements = statementsOf(outbox.relayRole);
    const resourcesOf = (action: string | string[]) =>
      statements.filter((statement: { Action: unknown }) => JSON.stringify(statement.Action) === JSON.stringify(action)).flatMap((statement: { Resource: unknown }) => [statement.Resource].flat());
    expect(resourcesOf('sns:Publish')).toEqual([...stack.topics.values()].map((topic) => stack.resolve(topic.topic.topicArn)));
    expect(resourcesOf(['kms:Decrypt', 'kms:GenerateDataKey*'])).toEqual([stack.resolve(stack.topicKey!.keyArn)]);
    expect(resourcesOf('sqs:SendMessage')).toEqual([stack.resolve(stack.queues.get('invoice-generate')!.queue.queueArn)]);
    expect(resourcesOf(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'])).toEqual([{ 'Fn::GetAtt': [idOf(outbox.table), 'Arn'] }]);
    const dynamodbActions = statements.flatMap((statement: { Action: string | string[] }) => [statement.Action].flat()).filter((action: string) => action.startsWith('dynamodb:'));
    expect(dynamodbActions.filter((action: string) => !/^dynamodb:(BatchGetItem|DeleteItem|PutItem|DescribeStream|GetRecords|GetShardIterator|ListStreams)$/.test(action))).toEqual([]);
  });

  it('grantWrite lets a service put outbox records and nothing else', () => {
    const writerStack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env, outbox: true });
    const writer = new iam.Role(writerStack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    writerStack.outbox!.grantWrite(writer);
    const policies = Object.values(Template.fromStack(writerStack).findResources('AWS::IAM::Policy')).filter((policy) =>
      policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === writerStack.getLogicalId(writer.node.defaultChild as iam.CfnRole)),
    );
    expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: [{ 'Fn::GetAtt': [writerStack.getLogicalId(writerStack.outbox!.table.node.defaultChild as never), 'Arn'] }] },
    ]);
  });

  it('alarms on send dead-letters, abandoned stream batches and relay errors, and adds a dashboard row', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Postbox/Outbox',
      MetricName: 'SendsDeadLettered',
      Dimensions: [{ Name: 'Outbox', Value: { Ref: idOf(outbox.table) } }],
      Threshold: 1,
      AlarmDescription: Match.stringLikeRegexp('postbox outbox show.*postbox outbox replay'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(outbox.failureQueue), 'QueueName'] } }],
      AlarmDescription: Match.stringLikeRegexp('gave up on stream batches'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(outbox.relay) } }],
    });
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    expect(body).toContain('Outbox: send dead-letters');
    expect(body).toContain('Outbox: relay behind stream (ms)');
  });

  it('is built for a config with outbox: true, and left out of one without', async () => {
    const app = (file: string) => createMessagingApp({ file: `test/fixtures/payments-service/${file}`, app: appWithoutBundling(), stack: { env } });
    expect((await app('postbox.outbox.config.ts')).stack.outbox?.table.tableName).toBeDefined();
    expect((await app('postbox.config.ts')).stack.outbox).toBeUndefined();
  });

  it("names its table to every consumer's function and the worker tasks, for a DynamoDbOutboxStore made without a name", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) => /orders-dev-(notifications|invoice-generate)$/.test(String(fn.Properties.Description)));
    expect(functions).toHaveLength(2);
    for (const fn of functions) expect(fn.Properties.Environment.Variables.POSTBOX_OUTBOX_TABLE).toBe('orders-dev-outbox');
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    expect(task!.Properties.ContainerDefinitions[0].Environment).toContainEqual({ Name: 'POSTBOX_OUTBOX_TABLE', Value: 'orders-dev-outbox' });
  });

  it('is left out without the prop', () => {
    const plain = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
    expect(plain.outbox).toBeUndefined();
    expect(JSON.stringify(Template.fromStack(plain).toJSON())).not.toContain('POSTBOX_OUTBOX_TABLE');
    Template.fromStack(plain).resourcePropertiesCountIs('AWS::DynamoDB::Table', { TableName: 'orders-dev-outbox' }, 0);
  });

  it('passes cdk-nag and cfn-lint with its serverless rules', async () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-outbox-')), context: { 'aws:cdk:bundling-stacks': [] } });
    const checked = new MessagingStack(app, 'orders-dev', { topology: ordersTopology, stage: 'dev', env, outbox: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
    const { blocking } = await lintTemplate(assembly.getStackByName(checked.stackName).templateFullPath);
    expect(blocking).toEqual([]);
  });

  it('bundles the relay shipped with Postbox into a minified ESM handler', () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-outbox-bundle-')) });
    new MessagingStack(app, 'orders-dev', { topology: ordersTopology, stage: 'dev', env, workersModule: 'examples/orders/orders-workers.ts', outbox: true });
    const assembly = app.synth();
    const bundles = readdirSync(assembly.directory)
      .filter((name) => name.startsWith('asset.') && readdirSync(path.join(assembly.directory, name)).includes('index.mjs'))
      .map((name) => readFileSync(path.join(assembly.directory, name, 'index.mjs'), 'utf8'));
    const relays = bundles.filter((code) => code.includes('SendsDeadLettered'));
    expect(relays).toHaveLength(1);
    expect(relays[0]).toMatch(/export\{\w+ as handler\}/);
  });
});
