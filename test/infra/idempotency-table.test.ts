import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
const template = Template.fromStack(stack);

describe('the idempotency table of a stack whose queues declare idempotency', () => {
  it('is one on-demand table per stage, encrypted, with point-in-time recovery and TTL on expiresAt, kept when the stack goes', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2); // with the job lock table of the analytics worker
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        TableName: 'orders-dev-idempotency',
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('is named in the environment of the idempotent consumer only, which alone may write its records', () => {
    const table = stack.getLogicalId(stack.idempotency!.table.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('orders-dev-notifications$'),
      Environment: { Variables: Match.objectLike({ POSTBOX_IDEMPOTENCY_TABLE: { Ref: table } }) },
    });
    const invoice = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('invoice-generate$') } });
    expect(Object.values(invoice).map((fn) => fn.Properties.Environment.Variables.POSTBOX_IDEMPOTENCY_TABLE)).toEqual([undefined]);
    const grants = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy).includes(`"${table}"`));
    expect(grants).toHaveLength(1);
    expect(JSON.stringify(grants[0])).toContain('NotificationsConsumer');
    const statement = grants[0]!.Properties.PolicyDocument.Statement.find((s: { Resource: unknown }) => JSON.stringify(s.Resource).includes(table));
    expect([statement.Action].flat().sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('is not made for a topology none of whose queues declares idempotency', () => {
    const { notifications, ...others } = ordersTopology.subscribers!;
    const { idempotency: _, ...plain } = notifications;
    const topology = defineTopology({ ...ordersTopology, subscribers: { ...others, notifications: plain } });
    const without = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology, stage: 'dev', env });
    expect(without.idempotency).toBeUndefined();
    expect(JSON.stringify(Template.fromStack(without).toJSON())).not.toContain('idempotency');
  });
});
