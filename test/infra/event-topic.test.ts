import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { EventTopic } from '../../lib/infra/event-topic.ts';
import { emptyStack } from '../helpers/cdk.ts';

describe('EventTopic', () => {
  it('encrypts the topic with a rotating customer-managed key', () => {
    const stack = emptyStack();
    const topic = new EventTopic(stack, 'Orders', { topicName: 'app-dev-orders' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'app-dev-orders',
      KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(topic.masterKey.node.defaultChild as never), 'Arn'] },
    });
  });

  it('denies publishing without TLS', () => {
    const stack = emptyStack();
    new EventTopic(stack, 'Orders', { topicName: 'app-dev-orders' });
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy'));
    expect(policy!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('creates a FIFO topic', () => {
    const stack = emptyStack();
    new EventTopic(stack, 'Orders', { topicName: 'app-dev-orders.fifo', fifo: true });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, TopicName: 'app-dev-orders.fifo' });
  });

  it('deduplicates a FIFO topic by content when asked', () => {
    const stack = emptyStack();
    new EventTopic(stack, 'Orders', { topicName: 'app-dev-orders.fifo', fifo: true, contentBasedDeduplication: true });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, ContentBasedDeduplication: true });
  });

  it('sets the FIFO throughput scope when given, and leaves it to SNS otherwise', () => {
    const stack = emptyStack();
    new EventTopic(stack, 'Prices', { topicName: 'app-dev-prices.fifo', fifo: true, fifoThroughputScope: 'MessageGroup' });
    new EventTopic(stack, 'Orders', { topicName: 'app-dev-orders.fifo', fifo: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'app-dev-prices.fifo', FifoThroughputScope: 'MessageGroup' });
    const orders = Object.values(template.findResources('AWS::SNS::Topic')).find((topic) => topic.Properties.TopicName === 'app-dev-orders.fifo')!;
    expect(orders.Properties.FifoThroughputScope).toBeUndefined();
  });

  it('sets MaximumMessageSize only for a topic that opts out of the 256 KiB default', () => {
    const stack = emptyStack();
    new EventTopic(stack, 'Bulletins', { topicName: 'app-dev-bulletins', maxMessageSizeBytes: 1_048_576 });
    new EventTopic(stack, 'Orders', { topicName: 'app-dev-orders', maxMessageSizeBytes: 262_144 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'app-dev-bulletins', MaximumMessageSize: 1_048_576 });
    const orders = Object.values(template.findResources('AWS::SNS::Topic')).find((topic) => topic.Properties.TopicName === 'app-dev-orders')!;
    expect(orders.Properties.MaximumMessageSize).toBeUndefined();
  });

  it('grants publish together with the use of its key', () => {
    const stack = emptyStack();
    const topic = new EventTopic(stack, 'Orders', { topicName: 'app-dev-orders' });
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    topic.grantPublish(role);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0]!.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'sns:Publish' }),
        expect.objectContaining({ Action: expect.arrayContaining(['kms:GenerateDataKey*']) }),
      ]),
    );
  });
});
