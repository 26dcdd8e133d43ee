import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';
import { billingTopology } from '../../examples/billing/billing-topology.ts';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

const ordersConfig = fileURLToPath(new URL('../../postbox.config.ts', import.meta.url));
const billingDirectory = fileURLToPath(new URL('../../examples/billing', import.meta.url));

describe('two services provisioned into one emulator: billing subscribes to orders’ topic', () => {
  const clients = emulatorClients();

  it("subscribes billing's queue to the topic orders provisioned, not to a topic of its own", async () => {
    const stage = uniqueStage();
    const orders = await provisionTopology(resolveTopology(ordersTopology, { stage }), clients);
    const billing = await provisionTopology(resolveTopology(billingTopology, { stage }), clients);
    expect(billing.topicArns.get('orders')).toBe(orders.topicArns.get('orders'));
    const { Subscriptions } = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: orders.topicArns.get('orders') }));
    expect(Subscriptions?.map((subscription) => subscription.Endpoint)).toContain(billing.queues.get('charges')!.arn);
  });

  it("makes a stand-in of orders' topic, named as orders would name it, when billing is provisioned alone", async () => {
    const stage = uniqueStage();
    const billing = await provisionTopology(resolveTopology(billingTopology, { stage }), clients);
    expect(billing.topicArns.get('orders')).toMatch(new RegExp(`:orders-${stage}-orders$`));
  });
});

describe('postbox/testing runs orders and billing in one test', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ config: ordersConfig, with: [billingDirectory] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  // CreateTopic of an existing topic's name gives its ARN.
  const ordersTopicArn = async () =>
    (await system.clients.sns.send(new CreateTopicCommand({ Name: system.topology.topics.find((topic) => topic.id === 'orders')!.name }))).TopicArn!;

  it('runs both under one stage, orders (the publisher) first', () => {
    expect(system.services.map((service) => [service.app, service.stage])).toEqual([
      ['orders', system.stage],
      ['billing', system.stage],
    ]);
  });

  it("follows an order placed in orders to billing's handler and orders' own subscribers", async () => {
    const placed = await system.publish('order.placed', { orderId: 'o-1', customerId: 'c-1', totalCents: 1200, currency: 'EUR' });
    const outcomes = await system.waitFor(placed.id);
    expect(outcomes.map((outcome) => outcome.queue).sort()).toContain('charges');
    for (const outcome of outcomes) expect(outcome).toMatchObject({ messageType: 'order.placed', status: 'handled', attempts: 1 });
  });

  it("hands a plain SNS publish on orders' topic, with its type attribute, to billing's handler", async () => {
    const id = `plain-${system.stage}`;
    const envelope = { specversion: '1.0', id, source: 'checkout', type: 'order.placed', data: { orderId: 'o-2', customerId: 'c-2', totalCents: 500, currency: 'EUR' } };
    await system.clients.sns.send(
      new PublishCommand({ TopicArn: await ordersTopicArn(), Message: JSON.stringify(envelope), MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } } }),
    );
    expect(await system.waitFor(id, { queue: 'charges' })).toEqual([{ queue: 'charges', messageType: 'order.placed', status: 'handled', attempts: 1 }]);
  });

  it("lands a poison order in billing's DLQ, with its reason", async () => {
    const id = `poison-${system.stage}`;
    const envelope = { specversion: '1.0', id, source: 'checkout', type: 'order.placed', data: { orderId: '', customerId: 'c-3', totalCents: -1, currency: 'euro' } };
    await system.clients.sns.send(
      new PublishCommand({ TopicArn: await ordersTopicArn(), Message: JSON.stringify(envelope), MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } } }),
    );
    const [outcome] = await system.waitFor(id, { queue: 'charges' });
    expect(outcome).toMatchObject({ queue: 'charges', status: 'dead-lettered', attempts: 1, reason: { code: 'SCHEMA_VALIDATION_FAILED' } });
    const charges = system.services.find((service) => service.app === 'billing')!.queues.find((queue) => queue.id === 'charges')!;
    const { QueueUrl } = await system.clients.sqs.send(new GetQueueUrlCommand({ QueueName: charges.deadLetterQueueName }));
    const dead = await receiveAvailable(system.clients.sqs, QueueUrl!, { expected: 1 });
    expect(dead!.map((message) => JSON.parse(message.Body!).id)).toEqual([id]);
  });
});
