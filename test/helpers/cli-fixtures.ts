import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { startElasticMq } from './elasticmq-server.ts';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import type { RunningServer } from '../../lib/local/server-process.ts';
import { provisionTopology, type ProvisionedTopology } from '../../lib/local/provisioner.ts';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology, type ResolvedQueue } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from './emulator.ts';
import { paymentsTopology } from './payments-topology.ts';
import { pollUntil } from './polling.ts';
import { queueDepth } from './queue-probe.ts';

const clients = emulatorClients();

/** The payments topology provisioned under a stage of its own, and a publisher for it. */
export async function provisionPayments() {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
  const publisher = new Publisher(paymentsTopology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs });
  return { stage, provisioned, publisher };
}

/** Dead-letters poison messages through the real Lambda pipeline: what operators find in a DLQ. */
export async function deadLetterPoison(stage: string, provisioned: ProvisionedTopology, count: number): Promise<void> {
  const url = provisioned.queues.get('accounting')!.url;
  for (let i = 0; i < count; i++) {
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ paymentId: `poison-${i}`, amountCents: -1 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: i % 2 === 0 ? 'payment.received' : 'payment.refunded' } },
      }),
    );
  }
  const dlq = provisioned.queues.get('accounting')!.deadLetterUrl;
  await pollUntil(accountingConsumer(stage, url), async () => (await queueDepth(clients.sqs, dlq)).visible === count);
}

/** The real Lambda pipeline of payments' accounting queue behind a local event source: poison messages go to its DLQ. */
export function accountingConsumer(stage: string, url: string): LocalEventSource {
  const noop = () => undefined;
  return new LocalEventSource({
    sqs: clients.sqs,
    queueUrl: url,
    waitTimeSeconds: 1,
    handler: createSqsHandler(paymentsTopology, {
      stage,
      queue: 'accounting',
      sqs: clients.sqs,
      logger: createLogger({}, { write: noop }),
      writeMetrics: noop,
      handlers: { 'payment.received': noop, 'payment.refunded': noop },
    }),
  });
}

/** ElasticMQ, the SQS server with move tasks, for the tests of a describe block. */
export function elasticMqServer(): { readonly endpoint: string } {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startElasticMq();
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get endpoint() {
      return server!.endpoint;
    },
  };
}

/** A queue of the topology and its DLQ made by hand on a server (ElasticMQ) the provisioner does not target, redrive policy included. */
export async function queueWithDeadLetterQueue(sqs: SQSClient, queue: ResolvedQueue) {
  const deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queue.deadLetterQueueName }))).QueueUrl!;
  const deadLetterArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: queue.name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: queue.redriveReceiveCount }) } }));
  return { queue, url, arn, deadLetterUrl, deadLetterArn };
}
