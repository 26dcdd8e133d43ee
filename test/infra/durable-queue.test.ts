import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { DurableQueue } from '../../lib/infra/durable-queue.ts';
import { emptyStack } from '../helpers/cdk.ts';

function build(props: Partial<ConstructorParameters<typeof DurableQueue>[2]> = {}) {
  const stack = emptyStack();
  const queue = new DurableQueue(stack, 'Work', { queueName: 'app-dev-work', deadLetterQueueName: 'app-dev-work-dlq', ...props });
  return { stack, queue, template: Template.fromStack(stack) };
}

describe('DurableQueue', () => {
  it('binds the main queue to its DLQ with a redrive policy of maxReceiveCount 5 by default', () => {
    const { template, stack, queue } = build();
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'app-dev-work',
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [stack.getLogicalId(queue.deadLetterQueue.node.defaultChild as never), 'Arn'] }, maxReceiveCount: 5 },
      VisibilityTimeout: 30,
      MessageRetentionPeriod: 345_600,
    });
  });

  it('keeps dead letters 14 days and allows redrive from its own source queue only', () => {
    build().template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'app-dev-work-dlq',
      MessageRetentionPeriod: 1_209_600,
      RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:eu-west-1:111111111111:app-dev-work']] }] },
    });
  });

  it("sizes the DLQ at SQS's largest, above its main queue, so a copy with the failure record fits", () => {
    const { template } = build({ maxMessageSizeBytes: 1_048_576 });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'app-dev-work-dlq', MaximumMessageSize: 1_048_576 });
    const small = build({ maxMessageSizeBytes: 4096 }).template;
    small.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'app-dev-work', MaximumMessageSize: 4096 });
    small.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'app-dev-work-dlq', MaximumMessageSize: 1_048_576 });
  });

  it('encrypts both queues and denies every request not made over TLS', () => {
    const { template } = build();
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const policies = template.findResources('AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('makes FIFO main and dead-letter queues together', () => {
    const { template } = build({ queueName: 'a.fifo', deadLetterQueueName: 'a-dlq.fifo', fifo: true });
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { FifoQueue: true }, 2);
  });

  it('takes visibility, receive count and retention from its props', () => {
    build({ visibilityTimeout: Duration.minutes(3), maxReceiveCount: 2, retentionPeriod: Duration.days(1) }).template.hasResourceProperties(
      'AWS::SQS::Queue',
      { VisibilityTimeout: 180, RedrivePolicy: Match.objectLike({ maxReceiveCount: 2 }), MessageRetentionPeriod: 86_400 },
    );
  });

  it('grants dead-letter access on the DLQ only', () => {
    const stack = emptyStack();
    const queue = new DurableQueue(stack, 'Work', { queueName: 'app-dev-work', deadLetterQueueName: 'app-dev-work-dlq' });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    queue.grantDeadLetterAccess(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: Match.arrayWith(['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']),
            Resource: { 'Fn::GetAtt': [stack.getLogicalId(queue.deadLetterQueue.node.defaultChild as never), 'Arn'] },
          }),
        ],
      },
    });
  });
});
