import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { EventSubscription } from '../../lib/infra/event-subscription.ts';
import { emptyStack } from '../helpers/cdk.ts';

function build() {
  const stack = emptyStack();
  const topic = new sns.Topic(stack, 'Topic');
  const queue = new sqs.Queue(stack, 'Queue');
  const subscription = new EventSubscription(stack, 'Billing', {
    topic,
    queue,
    filterPolicy: { type: ['order.cancelled', 'order.placed'] },
    deliveryDeadLetterQueueName: 'app-dev-billing-delivery-dlq',
  });
  return { stack, subscription, queue, template: Template.fromStack(stack) };
}

describe('EventSubscription', () => {
  it('subscribes with raw delivery and a filter policy on the type attribute', () => {
    build().template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      FilterPolicy: { type: ['order.cancelled', 'order.placed'] },
    });
  });

  it('sends what SNS cannot deliver to an encrypted delivery DLQ that keeps it 14 days', () => {
    const { template, stack, subscription } = build();
    const dlqId = stack.getLogicalId(subscription.deliveryDeadLetterQueue.node.defaultChild as never);
    template.hasResourceProperties('AWS::SNS::Subscription', { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } } });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'app-dev-billing-delivery-dlq',
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
  });

  it('lets only its topic send to the queue and to the delivery DLQ', () => {
    const { template, stack, subscription, queue } = build();
    const allowedTargets = Object.values(template.findResources('AWS::SQS::QueuePolicy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Effect === 'Allow' && statement.Principal?.Service === 'sns.amazonaws.com')
      .map((statement) => {
        expect(statement.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { Ref: expect.stringMatching(/^Topic/) } } });
        return statement.Resource['Fn::GetAtt'][0];
      });
    expect(allowedTargets.sort()).toEqual(
      [stack.getLogicalId(queue.node.defaultChild as never), stack.getLogicalId(subscription.deliveryDeadLetterQueue.node.defaultChild as never)].sort(),
    );
  });
});
