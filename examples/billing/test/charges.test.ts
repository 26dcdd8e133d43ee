import { ListTopicsCommand, PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';
import type { billingTopology } from '../billing-topology.ts';

const config = fileURLToPath(new URL('../postbox.config.ts', import.meta.url));

// Billing tested alone: its test system stands in for orders, publishing orders' events to orders' topic.
describe('billing, tested without orders running', () => {
  let billing: TestSystem<typeof billingTopology>;
  beforeAll(async () => {
    billing = await startTestSystem<typeof billingTopology>({ config });
  });
  afterAll(() => billing?.stop());

  it("charges a placed order published to orders' topic", async () => {
    const { id } = await billing.publish('order.placed', { orderId: 'o-1', customerId: 'c-1', totalCents: 1200, currency: 'EUR' });
    expect(await billing.waitFor(id)).toEqual([{ queue: 'charges', messageType: 'order.placed', status: 'handled', attempts: 1 }]);
  });

  it("dead-letters, with the reason, a plain SNS publish on orders' topic whose data breaks the schema", async () => {
    const { sns, sqs } = billing.clients;
    const topicName = `orders-${billing.stage}-orders`;
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    const TopicArn = Topics.find((topic) => topic.TopicArn?.endsWith(`:${topicName}`))!.TopicArn!;
    await sns.send(
      new PublishCommand({
        TopicArn,
        Message: JSON.stringify({ orderId: 'o-2', customerId: 'c-1', totalCents: -1, currency: 'euro' }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } },
      }),
    );
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `billing-${billing.stage}-charges-dlq` }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MessageAttributeNames: ['All'] }));
    expect(JSON.parse(Messages[0]!.Body!)).toMatchObject({ orderId: 'o-2' });
    expect(Messages[0]!.MessageAttributes!['postbox.errorCode']?.StringValue).toBe('SCHEMA_VALIDATION_FAILED');
  });
});
