import { PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { provisionTopology, type ProvisionedTopology } from '../../lib/local/provisioner.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const topology = resolveTopology(ordersTopology, { stage: uniqueStage() });
let provisioned: ProvisionedTopology;

const queue = (id: string) => provisioned.queues.get(id)!;

beforeAll(async () => {
  provisioned = await provisionTopology(topology, clients);
});

describe('the example topology provisioned on the emulator', () => {
  it('delivers order.placed to notifications but not to analytics, which does not want it', async () => {
    const body = JSON.stringify({ orderId: 'o-1', customerId: 'c-1', totalCents: 1200, currency: 'EUR' });
    await clients.sns.send(
      new PublishCommand({
        TopicArn: provisioned.topicArns.get('orders'),
        Message: body,
        MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } },
      }),
    );

    const notifications = await receiveAvailable(clients.sqs, queue('notifications').url, { expected: 1 });
    expect(notifications!.map((message) => message.Body)).toEqual([body]);
    expect(notifications[0]!.MessageAttributes?.type?.StringValue).toBe('order.placed');
    expect(await receiveAvailable(clients.sqs, queue('analytics').url)).toEqual([]);
  });

  it('delivers order.cancelled to both subscribers, raw', async () => {
    const body = JSON.stringify({ orderId: 'o-2', reason: 'changed mind' });
    await clients.sns.send(
      new PublishCommand({
        TopicArn: provisioned.topicArns.get('orders'),
        Message: body,
        MessageAttributes: { type: { DataType: 'String', StringValue: 'order.cancelled' } },
      }),
    );
    for (const id of ['notifications', 'analytics']) {
      const received = await receiveAvailable(clients.sqs, queue(id).url, { expected: 1 });
      expect(received.map((message) => message.Body), id).toEqual([body]);
    }
  });

  it('moves a message to the DLQ after one receive past max receive count (5) without a delete: a consumer that crashes on it every time', async () => {
    const { url, deadLetterUrl } = queue('notifications');
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'keeps failing' }));
    for (let receive = 1; receive <= 6; receive++) {
      const received = await receiveAvailable(clients.sqs, url, { visibilitySeconds: 0, expected: 1 });
      expect(received.map((message) => message.Body), `receive ${receive}`).toEqual(['keeps failing']);
    }
    const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(Messages).toEqual([]);
    const deadLettered = await receiveAvailable(clients.sqs, deadLetterUrl, { expected: 1 });
    expect(deadLettered.map((message) => message.Body)).toEqual(['keeps failing']);
  });

  // moto does not keep RedriveAllowPolicy (LocalStack and AWS do); the CDK tests assert it on the template.
  it('configures every queue with its redrive policy and visibility, and every DLQ with 14-day retention', async () => {
    for (const resolved of topology.queues) {
      const { url, deadLetterUrl, deadLetterArn } = queue(resolved.id);
      const main = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
      expect(JSON.parse(main.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: resolved.maxReceiveCount + 1 });
      expect(Number(main.Attributes!.VisibilityTimeout)).toBe(resolved.visibilityTimeoutSeconds);
      const dlq = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['All'] }));
      expect(dlq.Attributes!.MessageRetentionPeriod).toBe('1209600');
    }
  });

  it('subscribes with raw delivery, the derived filter policy and a delivery DLQ, and provisions again without change', async () => {
    const again = await provisionTopology(topology, clients);
    expect(again.queues.get('notifications')!.url).toBe(queue('notifications').url);
    const { Subscriptions = [] } = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: provisioned.topicArns.get('orders') }));
    expect(Subscriptions).toHaveLength(2);
    const analytics = Subscriptions.find((subscription) => subscription.Endpoint === queue('analytics').arn)!;
    const { Attributes = {} } = await clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: analytics.SubscriptionArn }));
    expect(Attributes.RawMessageDelivery).toBe('true');
    expect(JSON.parse(Attributes.FilterPolicy!)).toEqual({ type: ['order.cancelled'] });
    expect(JSON.parse(Attributes.RedrivePolicy!).deadLetterTargetArn).toMatch(/analytics-delivery-dlq$/);
  });
});
