import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import type { MessagingOverrides } from '../../lib/infra/cdk-overrides.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const stackWith = (overrides: MessagingOverrides, stackGroups?: number) =>
  new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env, overrides, ...(stackGroups && { stackGroups }) });

describe("MessagingStack's overrides: the CDK's own props merged over Postbox's", () => {
  it('lands what Postbox does not own, stack-wide and per handler, the handler’s over the stack’s', () => {
    const stack = stackWith({
      queueProps: { deliveryDelay: Duration.seconds(3) },
      deadLetterQueueProps: { removalPolicy: RemovalPolicy.RETAIN },
      topicProps: { displayName: 'Orders events' },
      functionProps: { reservedConcurrentExecutions: 5, environment: { FEATURE_FLAG: 'on' } },
      handlers: { notifications: { functionProps: { reservedConcurrentExecutions: 2 } } },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orders-dev-notifications', DelaySeconds: 3 });
    template.hasResource('AWS::SQS::Queue', { Properties: { QueueName: 'orders-dev-notifications-dlq' }, DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'orders-dev-orders', DisplayName: 'Orders events', KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('orders-dev-notifications'),
      ReservedConcurrentExecutions: 2,
      // Added to Postbox's own variables, which stay.
      Environment: { Variables: Match.objectLike({ FEATURE_FLAG: 'on', POSTBOX_STAGE: 'dev', NODE_OPTIONS: '--enable-source-maps' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('orders-dev-invoice-generate'), ReservedConcurrentExecutions: 5 });
    // What Postbox owns is still Postbox's after the merge.
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orders-dev-notifications', SqsManagedSseEnabled: true, RedrivePolicy: Match.objectLike({ maxReceiveCount: Match.anyValue() }) });
  });

  it("reaches the handlers of a stack group's nested stack", () => {
    const stack = stackWith({ queueProps: { deliveryDelay: Duration.seconds(4) } }, 2);
    const delays = [...stack.groups.values()].flatMap((group) => Object.values(Template.fromStack(group).findResources('AWS::SQS::Queue', { Properties: { DelaySeconds: 4 } })));
    expect(delays).toHaveLength(3);
  });

  it.each<[string, MessagingOverrides, string]>([
    ['queue encryption', { queueProps: { encryption: sqs.QueueEncryption.UNENCRYPTED } }, "orders-dev-notifications queueProps: encryption is Postbox's (every queue is encrypted with SSE-SQS, which SNS can deliver to without a key policy); remove it from the overrides, or set it where the reason says"],
    ['a queue name', { deadLetterQueueProps: { queueName: 'mine' } }, "queueName is Postbox's (Postbox names every queue <app>-<stage>-<name>)"],
    ['the retention the topology declares', { queueProps: { retentionPeriod: Duration.days(1) } }, "retentionPeriod is Postbox's (the topology declares it (queue.retentionSeconds))"],
    ['TLS of a topic', { topicProps: { enforceSSL: false } }, "orders-dev-orders topicProps: enforceSSL is Postbox's (every topic refuses plain HTTP)"],
    ['the memory the topology declares', { functionProps: { memorySize: 1024 } }, "memorySize is Postbox's (the topology declares it (the handler's `memoryMb`))"],
    ["a runtime variable", { functionProps: { environment: { POSTBOX_STAGE: 'prod' } } }, "environment POSTBOX_STAGE is Postbox's (set by MessagingStack for the runtime)"],
    ['an unknown handler', { handlers: { billing: {} } }, "overrides.handlers names 'billing', which is no subscriber or command handler of the topology (notifications, analytics, invoice-generate)"],
    ["function props of a worker handler", { handlers: { analytics: { functionProps: { description: 'x' } } } }, "'analytics' is a worker handler, run by the workers' Fargate service; functionProps applies to Lambda handlers"],
  ])('refuses %s, saying whose it is and why (OWNED_PROPERTY_OVERRIDDEN)', (_what, overrides, message) => {
    let error: unknown;
    try {
      stackWith(overrides);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'OWNED_PROPERTY_OVERRIDDEN', message: expect.stringContaining(message) });
  });
});
