import { ListTopicsCommand, PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';
import type { billingTopology } from '../../examples/billing/billing-topology.ts';
import type { ordersTopology } from '../../examples/orders/orders-topology.ts';

const ordersConfig = fileURLToPath(new URL('../../postbox.config.ts', import.meta.url));
const billingConfig = fileURLToPath(new URL('../../examples/billing/postbox.config.ts', import.meta.url));

// Two services, each its own config and topology, provisioned into one emulator under one stage: orders publishes,
// billing subscribes to orders' topic through orders' contract.
describe('orders and billing on one machine', () => {
  let orders: TestSystem<typeof ordersTopology>;
  let billing: TestSystem<typeof billingTopology>;
  beforeAll(async () => {
    orders = await startTestSystem<typeof ordersTopology>({ config: ordersConfig });
    billing = await startTestSystem<typeof billingTopology>({ config: billingConfig, stage: orders.stage });
  });
  afterAll(async () => {
    await billing?.stop();
    await orders?.stop();
  });

  it("hands an order that orders' Publisher publishes to billing's handler, and to orders' own subscribers", async () => {
    const { id } = await orders.publish('order.placed', { orderId: 'o-1', customerId: 'c-1', totalCents: 1200, currency: 'EUR' });
    expect(await billing.waitFor(id, { queue: 'charges' })).toEqual([{ queue: 'charges', messageType: 'order.placed', status: 'handled', attempts: 1 }]);
    expect((await orders.waitFor(id)).map((outcome) => outcome.queue).sort()).toEqual(['billing', 'notifications']);
  });

  it("hands billing a plain SNS publish on orders' topic, and dead-letters a poison one in billing's DLQ with its reason", async () => {
    const { sns, sqs } = billing.clients;
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    const TopicArn = Topics.find((topic) => topic.TopicArn?.endsWith(`:orders-${orders.stage}-orders`))!.TopicArn!;
    const type = { type: { DataType: 'String', StringValue: 'order.placed' } };
    await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ orderId: 'o-3', customerId: 'c-1', totalCents: -5, currency: 'EUR' }), MessageAttributes: type }));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `billing-${billing.stage}-charges-dlq` }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MessageAttributeNames: ['All'] }));
    expect(JSON.parse(Messages[0]!.Body!)).toMatchObject({ orderId: 'o-3' });
    expect(Messages[0]!.MessageAttributes!['postbox.errorCode']?.StringValue).toBe('SCHEMA_VALIDATION_FAILED');
    expect(Messages[0]!.MessageAttributes!['postbox.errorMessage']?.StringValue).toContain('totalCents');
  });
});
