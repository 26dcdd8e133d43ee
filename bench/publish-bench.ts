import http from 'node:http';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { Publisher } from '../lib/runtime/publishing/publisher.ts';
import { startFakeSnsServer } from './fixtures/fake-sns-server.ts';

export interface PublishFigures {
  readonly messagesPerSecond: Record<string, number>;
  readonly calls: Record<string, number>;
}

/** `publishMany` against one `publish` per message, same concurrency, same simulated round trip. */
export async function benchPublish(messages = 1000, concurrency = 8, roundTripMs = 20): Promise<PublishFigures> {
  const server = await startFakeSnsServer(roundTripMs);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const sns = new SNSClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: { httpAgent: agent },
  });
  const publisher = new Publisher(ordersTopology, {
    stage: 'bench',
    source: 'bench',
    sns,
    sqs: new SQSClient({ region: 'us-east-1' }),
    concurrency,
    routes: { topicArns: { orders: 'arn:aws:sns:us-east-1:000000000000:orders-bench-orders' } },
  });
  const events = Array.from({ length: messages }, (_, i) => ({
    type: 'order.placed' as const,
    data: { orderId: `o-${i}`, customerId: 'c-1', totalCents: 100 + i, currency: 'EUR' },
  }));
  const messagesPerSecond: Record<string, number> = {};
  const calls: Record<string, number> = {};
  try {
    const limit = pLimit(concurrency);
    let before = totalCalls(server.calls);
    let started = performance.now();
    await Promise.all(events.map((event) => limit(() => publisher.publish(event.type, event.data))));
    messagesPerSecond['one publish per message'] = messages / ((performance.now() - started) / 1000);
    calls['one publish per message'] = totalCalls(server.calls) - before;

    before = totalCalls(server.calls);
    started = performance.now();
    const report = await publisher.publishMany(events);
    messagesPerSecond.publishMany = messages / ((performance.now() - started) / 1000);
    calls.publishMany = totalCalls(server.calls) - before;
    if (report.sent !== messages) throw new Error(`publishMany sent ${report.sent} of ${messages}`);
  } finally {
    agent.destroy();
    await server.close();
  }
  return { messagesPerSecond, calls };
}

function totalCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, count) => sum + count, 0);
}
