import http from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { consumerSqsRequestsPerMessage } from '../lib/cost/message-path-cost.ts';
import { createEnvelope } from '../lib/messages/envelope.ts';
import { encodeMessage } from '../lib/messages/message-codec.ts';
import { LocalEventSource } from '../lib/local/local-event-source.ts';
import { createSqsHandler } from '../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../lib/runtime/observability/logger.ts';
import { resolveTopology } from '../lib/topology/resolve-topology.ts';
import { startFakeSqsServer } from './fixtures/fake-sqs-server.ts';

/** Requests that bill per message handled: receives, deletes and visibility changes (not the one-off attribute look-up). */
const BILLED_PER_MESSAGE = ['ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch'];

export interface LambdaPathRequests {
  /** SQS requests per 1,000 messages, measured. */
  readonly measuredPer1000: number;
  /** What `postbox cost` counts for the consumer of that path, per 1,000 messages. */
  readonly modelPer1000: number;
}

const { idempotency: _, ...notifications } = ordersTopology.subscribers!.notifications;
const topology = { ...ordersTopology, subscribers: { ...ordersTopology.subscribers, notifications } } as typeof ordersTopology;

/**
 * The Lambda path's SQS requests: `messages` order.cancelled events through the notifications handler, received and
 * deleted the way Lambda's poller does it (LocalEventSource: receives of up to the batch size, a DeleteMessageBatch of
 * each batch's successes), counted by a local SQS endpoint; beside it, `postbox cost`'s figure for that queue.
 */
export async function benchLambdaPathRequests(messages = 1_000): Promise<LambdaPathRequests> {
  const server = await startFakeSqsServer(1);
  const agent = new http.Agent({ keepAlive: true });
  const sqs = new SQSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, requestHandler: { httpAgent: agent } });
  const noop = () => undefined;
  const handler = createSqsHandler(topology, {
    stage: 'bench',
    queue: 'notifications',
    handlers: { 'order.placed': noop, 'order.cancelled': noop },
    sqs,
    logger: createLogger({}, { write: noop }),
    writeMetrics: noop,
  });
  server.fill(
    Array.from({ length: messages }, (_, i) => encodeMessage(createEnvelope({ type: 'order.cancelled', kind: 'event', source: 'bench', data: { orderId: `o-${i}`, reason: 'bench' } })).body),
  );
  const batchSize = resolveTopology(topology, { stage: 'bench' }).queues.find((queue) => queue.id === 'notifications')!.handler;
  const source = new LocalEventSource({ sqs, queueUrl: server.queueUrl, handler: handler as never, batchSize: batchSize.kind === 'lambda' ? batchSize.batchSize : 10, waitTimeSeconds: 1 });
  try {
    let deleted = 0;
    while (deleted < messages) {
      const result = await source.pollOnce();
      if (result.failed > 0) throw new Error(`the Lambda path failed ${result.failed} messages it should have handled`);
      deleted += result.deleted;
    }
    const requests = BILLED_PER_MESSAGE.reduce((sum, action) => sum + (server.calls[action] ?? 0), 0);
    return { measuredPer1000: (requests / messages) * 1000, modelPer1000: consumerSqsRequestsPerMessage(batchSize) * 1000 };
  } finally {
    agent.destroy();
    await server.close();
  }
}

/** `postbox cost`'s figure per 1,000 messages for a worker queue of this concurrency. */
export function workerModelPer1000(concurrency: number): number {
  return consumerSqsRequestsPerMessage({ kind: 'worker', concurrency } as never) * 1000;
}
