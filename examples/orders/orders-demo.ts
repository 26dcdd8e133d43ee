import { PublishCommand } from '@aws-sdk/client-sns';
import type { DemoContext } from 'postbox/testing';
import type { ordersTopology } from './orders-topology.ts';

/**
 * Example traffic for `npm start -- --demo` (`dev.demo` in postbox.config.ts): a steady stream of orders and
 * invoices, some designed to fail once (`flaky-` orders: billing, running
 * beside orders, retries them) and some poison (data that fails its schema,
 * an invoice of nothing), and a redrive of notifications' DLQ now and then, so
 * every path shows.
 */
export default function startOrdersDemo(context: DemoContext<typeof ordersTopology>): { stop(): void } {
  const { publisher, sns, redrive, onError } = context;
  let tick = 0;
  const step = async () => {
    tick += 1;
    const orderId = `${tick % 5 === 0 ? 'flaky-' : ''}o-${tick}`;
    await publisher.publish('order.placed', { orderId, customerId: `c-${tick % 7}`, totalCents: 1000 + tick, currency: 'EUR' });
    if (tick % 3 === 0) await publisher.publish('order.cancelled', { orderId: `o-${tick - 1}`, reason: 'changed mind' });
    await publisher.send('invoice.generate', { orderId, customerId: `c-${tick % 7}`, totalCents: tick % 11 === 0 ? 0 : 1000 + tick, currency: 'EUR' });
    if (tick % 8 === 0) {
      // A producer that skipped validation: a plain SNS publish whose data breaks the schema.
      await sns.send(
        new PublishCommand({
          TopicArn: context.topicArns.get('orders')!,
          Message: JSON.stringify({ orderId: `poison-${tick}`, customerId: 'c-0', totalCents: -1, currency: 'euro' }),
          MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } },
        }),
      );
    }
    if (tick % 30 === 0) await redrive('notifications');
  };
  const timer = setInterval(() => void step().catch(onError), 1000);
  return { stop: () => clearInterval(timer) };
}
