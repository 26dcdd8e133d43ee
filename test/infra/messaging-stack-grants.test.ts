import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

/** A stack of two topics and two command queues with a producer role, and that role's statements once `grant` has run. */
function producerStatements(grant: (stack: MessagingStack, producer: iam.Role) => void) {
  const stack = new MessagingStack(appWithoutBundling(), 'pay-dev', { topology: paymentsTopology, stage: 'dev', env });
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  grant(stack, producer);
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).filter((policy) =>
    policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === stack.getLogicalId(producer.node.defaultChild as iam.CfnRole)),
  );
  expect(policies).toHaveLength(1);
  return { stack, statements: policies[0]!.Properties.PolicyDocument.Statement };
}

describe('MessagingStack grants', () => {
  /** The one statement that lets a publisher store payloads over the limit: PutObject under payloads/ of the stack's bucket. */
  const putPayloads = (stack: MessagingStack) => ({ Effect: 'Allow', Action: 's3:PutObject', Resource: stack.resolve(stack.payloads!.bucket.arnForObjects('payloads/*')) });

  it('grantPublish gives sns:Publish on every topic, the use of their key to publish, and storing payloads, nothing else', () => {
    const { stack, statements } = producerStatements((stack, producer) => stack.grantPublish(producer));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: [...stack.topics.values()].map((topic) => stack.resolve(topic.topic.topicArn)) },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: stack.resolve(stack.topicKey!.keyArn) },
      putPayloads(stack),
    ]);
    expect(stack.topics.size).toBe(2);
  });

  it('grantSend gives sqs:SendMessage on the command queues only, which SSE-SQS encrypts without a key grant, and storing payloads', () => {
    const { stack, statements } = producerStatements((stack, producer) => stack.grantSend(producer));
    const commandQueues = ['report-build', 'receipt-archive'].map((id) => stack.resolve(stack.queues.get(id)!.queue.queueArn));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: commandQueues }, putPayloads(stack)]);
  });

  it('tells every function and worker task the payload bucket, and lets each read payloads of the prefix only', () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
    const template = Template.fromStack(stack);
    const bucketRef = stack.resolve(stack.payloads!.bucket.bucketName);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) expect(fn.Properties.Environment.Variables.POSTBOX_PAYLOAD_BUCKET).toEqual(bucketRef);
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    expect(task!.Properties.ContainerDefinitions[0].Environment).toContainEqual({ Name: 'POSTBOX_PAYLOAD_BUCKET', Value: bucketRef });
    const roles = [...[...stack.consumers.values()].map((consumer) => consumer.role), stack.workers!.taskDefinition.taskRole];
    for (const role of roles) {
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === stack.getLogicalId(role.node.defaultChild as iam.CfnRole)))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => JSON.stringify(statement).includes(stack.getLogicalId(stack.payloads!.bucket.node.defaultChild as never)));
      expect(statements).toEqual([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: stack.resolve(stack.payloads!.bucket.arnForObjects('payloads/*')) },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: stack.resolve(stack.payloads!.bucket.bucketArn), Condition: { StringLike: { 's3:prefix': 'payloads/*' } } },
      ]);
    }
  });

  it('tells every function and worker task its account, so that a publisher there makes addresses without a call', () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    for (const fn of functions) expect(fn.Properties.Environment.Variables.POSTBOX_ACCOUNT_ID).toBe('111111111111');
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    expect(task!.Properties.ContainerDefinitions[0].Environment).toContainEqual({ Name: 'POSTBOX_ACCOUNT_ID', Value: '111111111111' });
  });

  it("names the deploying account's id when synthesized without an account", () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev' });
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(fn!.Properties.Environment.Variables.POSTBOX_ACCOUNT_ID).toEqual({ Ref: 'AWS::AccountId' });
  });
});
