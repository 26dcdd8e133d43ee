import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { LambdaConsumer, type LambdaConsumerProps } from '../../lib/infra/lambda-consumer.ts';
import { emptyStack } from '../helpers/cdk.ts';

function build(more: Partial<LambdaConsumerProps> = {}) {
  const stack = emptyStack();
  const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.minutes(3) });
  const consumer = new LambdaConsumer(stack, 'Billing', {
    entry: path.resolve('functions/notifications.ts'),
    queue,
    timeout: Duration.seconds(30),
    batchSize: 25,
    maxBatchingWindow: Duration.seconds(2),
    maxConcurrency: 5,
    ...more,
  });
  return { stack, consumer, template: Template.fromStack(stack) };
}

describe('LambdaConsumer', () => {
  it('has no X-Ray tracing unless asked, and neither the grant of it', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('xray:');
  });

  it('traces actively with X-Ray when asked, its role granted to send the traces', () => {
    const { template } = build({ activeTracing: true });
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }]) },
    });
  });

  it('runs on Node.js 24 on arm64 with source maps enabled', () => {
    build().template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 30,
      MemorySize: 256,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  it('reports partial batch failures, with the batch size, window and concurrency it was given', () => {
    build().template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('runs its event source in provisioned mode with the pollers it was given, and then sets no maximum concurrency', () => {
    const stack = emptyStack();
    const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.minutes(3) });
    new LambdaConsumer(stack, 'Billing', { entry: path.resolve('functions/notifications.ts'), queue, provisionedPollers: { minimum: 4, maximum: 40 } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ProvisionedPollerConfig: { MinimumPollers: 4, MaximumPollers: 40 }, ScalingConfig: Match.absent() });
  });

  it('logs to its own log group kept one month, and may write to no other', () => {
    const { template, stack, consumer } = build();
    const logGroupId = stack.getLogicalId(consumer.logGroup.node.defaultChild as never);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logGroupId } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('may consume its queue', () => {
    const statements = build().template.findResources('AWS::IAM::Policy');
    const actions = Object.values(statements).flatMap((policy) => policy.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => s.Action));
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
  });
});
