import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import type { AwsCall } from '../helpers/aws-call.ts';
import { awsCalls } from '../helpers/aws-calls.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { externalTopicArn } from '../../lib/topology/naming.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { TemplatePolicies, type SimulatedRequest } from '../helpers/template-policies.ts';

// Two services in two accounts: orders (111111111111) lets account 222222222222 and organization o-abc123def4
// subscribe; billing (222222222222, eu-west-1) subscribes to orders' topic by ARN, and to orders' topics in an opt-in region
// (ap-east-1) and in one CDK does not know yet, where SNS delivers as its regional principal.
const Placed = z.object({ orderId: z.string() });
const ordersEnv = { account: '111111111111', region: 'eu-west-1' };
const billingEnv = { account: '222222222222', region: 'eu-west-1' };
const ordersTopicArn = 'arn:aws:sns:eu-west-1:111111111111:orders-prod-orders';

const orders = new MessagingStack(appWithoutBundling(), 'orders-prod', {
  topology: defineTopology({
    app: 'orders',
    events: { 'order.placed': { schema: Placed } },
    topics: { orders: { events: ['order.placed'], allowSubscribers: ['222222222222', 'o-abc123def4'] } },
  }),
  stage: 'prod',
  env: ordersEnv,
});
const billingTopology = defineTopology({
  app: 'billing',
  events: { 'order.placed': { schema: Placed } },
  topics: {},
  externalTopics: {
    orders: { arn: ordersTopicArn, events: ['order.placed'] },
    asia: { arn: 'arn:aws:sns:ap-east-1:111111111111:orders-prod-orders', events: ['order.placed'] },
    future: { arn: 'arn:aws:sns:xx-future-1:111111111111:orders-prod-orders', events: ['order.placed'] },
  },
  subscribers: {
    charges: { topic: 'orders', events: ['order.placed'], handler: { kind: 'worker' } },
    asian: { topic: 'asia', events: ['order.placed'], handler: { kind: 'worker' } },
    later: { topic: 'future', events: ['order.placed'], handler: { kind: 'worker' } },
  },
});
const billing = new MessagingStack(appWithoutBundling(), 'billing-prod', { topology: billingTopology, stage: 'prod', env: billingEnv });
const ordersPolicies = new TemplatePolicies(Template.fromStack(orders).toJSON() as never, ordersEnv);
const billingPolicies = new TemplatePolicies(Template.fromStack(billing).toJSON() as never, billingEnv);
const idOf = (stack: MessagingStack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

/** A subscriber's sns:Subscribe on orders' topic, as AWS sees it from a role of the subscriber's account. */
function subscribeRequest(call: AwsCall, context: Record<string, string> = {}): SimulatedRequest {
  if (call.principal.kind !== 'subscriber-account' || call.resource.kind !== 'topic') throw new Error(`not a subscribe call: ${JSON.stringify(call)}`);
  const topic = idOf(orders, orders.topics.get(call.resource.topic)!.topic);
  return {
    principal: { otherAccountRole: `arn:aws:iam::${call.principal.account}:role/billing-deployment` },
    action: call.action,
    resourceArn: ordersPolicies.arnOf(topic),
    policyHolder: topic,
    context: {
      'aws:SecureTransport': 'true',
      'aws:PrincipalAccount': call.principal.account,
      ...(call.principal.organization && { 'aws:PrincipalOrgID': call.principal.organization }),
      ...(call.context?.protocol && { 'sns:Protocol': call.context.protocol }),
      ...context,
    },
  };
}

/** SNS delivering orders' topic into billing's queue (or its delivery DLQ). */
function deliveryRequest(call: AwsCall, sourceArn?: string): SimulatedRequest {
  if (call.principal.kind !== 'service' || (call.resource.kind !== 'queue' && call.resource.kind !== 'delivery-dead-letter-queue')) throw new Error('not a delivery');
  const holder =
    call.resource.kind === 'queue' ? idOf(billing, billing.queues.get(call.resource.queue)!.queue) : idOf(billing, billing.subscriptions.get(call.resource.queue)!.deliveryDeadLetterQueue);
  const external = billing.topology.externalTopics.find((topic) => topic.id === (call.context!.sourceArn as { topic: string }).topic)!;
  return {
    principal: { service: call.principal.service },
    action: call.action,
    resourceArn: billingPolicies.arnOf(holder),
    policyHolder: holder,
    context: { 'aws:SecureTransport': 'true', 'aws:SourceArn': sourceArn ?? externalTopicArn(external, { partition: 'aws', ...billingEnv }) },
  };
}

const subscribes = awsCalls(orders.topology).filter((call) => call.principal.kind === 'subscriber-account');
const deliveries = awsCalls(billing.topology, { region: billingEnv.region }).filter((call) => call.context?.sourceArn?.kind === 'external-topic');

describe('subscribing across accounts, simulated', () => {
  it('lists a subscribe call for each account and organization the topic allows, and a delivery into each external subscription', () => {
    expect(subscribes.map((call) => call.principal)).toEqual([
      { kind: 'subscriber-account', account: '222222222222' },
      { kind: 'subscriber-account', account: '999999999999', organization: 'o-abc123def4' },
    ]);
    expect(deliveries.map((call) => [call.principal, call.resource])).toEqual(
      [
        ['sns.amazonaws.com', 'charges'],
        ['sns.ap-east-1.amazonaws.com', 'asian'],
        ['sns.xx-future-1.amazonaws.com', 'later'],
      ].flatMap(([service, queue]) => [
        [{ kind: 'service', service }, { kind: 'queue', queue }],
        [{ kind: 'service', service }, { kind: 'delivery-dead-letter-queue', queue }],
      ]),
    );
  });

  it.each(subscribes.map((call) => [call.purpose, call] as const))('allows %s', async (_, call) => {
    expect(await ordersPolicies.simulate(subscribeRequest(call))).toBe('Allowed');
  });

  it.each(deliveries.map((call) => [call.purpose, call] as const))('allows %s from the external topic', async (_, call) => {
    expect(await billingPolicies.simulate(deliveryRequest(call))).toBe('Allowed');
  });
});

describe('subscribing across accounts refuses', () => {
  const [account, organization] = subscribes as [AwsCall, AwsCall];

  it('an account the topic does not allow', async () => {
    const other = { ...account, principal: { kind: 'subscriber-account', account: '444444444444' } } as AwsCall;
    expect(await ordersPolicies.simulate(subscribeRequest(other))).not.toBe('Allowed');
  });

  it('a member of another organization', async () => {
    expect(await ordersPolicies.simulate(subscribeRequest(organization, { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' }))).not.toBe('Allowed');
  });

  it('a subscription by another protocol than SQS (an HTTPS endpoint or e-mail would leak the events)', async () => {
    expect(await ordersPolicies.simulate(subscribeRequest(account, { 'sns:Protocol': 'https' }))).not.toBe('Allowed');
    expect(await ordersPolicies.simulate(subscribeRequest(account, { 'sns:Protocol': 'email' }))).not.toBe('Allowed');
  });

  it('SNS delivering another topic into the subscribed queue, of the publisher’s account or another', async () => {
    for (const call of deliveries) {
      const region = call.principal.kind === 'service' && call.principal.service !== 'sns.amazonaws.com' ? call.principal.service.split('.')[1] : 'eu-west-1';
      expect(await billingPolicies.simulate(deliveryRequest(call, `arn:aws:sns:${region}:111111111111:orders-prod-payments`))).not.toBe('Allowed');
      expect(await billingPolicies.simulate(deliveryRequest(call, `arn:aws:sns:${region}:555555555555:orders-prod-orders`))).not.toBe('Allowed');
    }
  });
});

describe('subscribing from an opt-in region, simulated', () => {
  // billing in me-south-1 (opt-in) subscribes to orders' topic in eu-west-1: SNS delivers as sns.me-south-1.amazonaws.com.
  const gulfEnv = { account: '222222222222', region: 'me-south-1' };
  const gulf = new MessagingStack(appWithoutBundling(), 'billing-prod', { topology: billingTopology, stage: 'prod', env: gulfEnv });
  const gulfPolicies = new TemplatePolicies(Template.fromStack(gulf).toJSON() as never, gulfEnv);
  const holders = [idOf(gulf, gulf.queues.get('charges')!.queue), idOf(gulf, gulf.subscriptions.get('charges')!.deliveryDeadLetterQueue)];
  const delivery = (holder: string, service: string): SimulatedRequest => ({
    principal: { service },
    action: 'sqs:SendMessage',
    resourceArn: gulfPolicies.arnOf(holder),
    policyHolder: holder,
    context: { 'aws:SecureTransport': 'true', 'aws:SourceArn': ordersTopicArn },
  });

  it.each(holders)('allows SNS of the opt-in region to deliver into %s', async (holder) => {
    expect(await gulfPolicies.simulate(delivery(holder, 'sns.me-south-1.amazonaws.com'))).toBe('Allowed');
  });
});

