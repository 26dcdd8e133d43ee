import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from '@aws-lambda-powertools/parser';
import { SqsEnvelope } from '@aws-lambda-powertools/parser/envelopes/sqs';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CloudEvent, HTTP } from 'cloudevents';
import { Consumer } from 'sqs-consumer';
import { afterAll, describe, expect, inject, it } from 'vitest';
import * as z from 'zod';
import { OrderCancelled, OrderPlaced, ordersTopology } from '../../examples/orders/orders-topology.ts';
import { runCli } from '../../lib/cli/postbox-cli.ts';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { InMemoryIdempotencyStore } from '../../lib/runtime/consuming/idempotency/in-memory-idempotency-store.ts';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { toSqsRecord } from '../../lib/runtime/consuming/lambda/sqs-record.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { pollUntil } from '../helpers/polling.ts';
import { queueDepth } from '../helpers/queue-probe.ts';
import { uniqueStage } from '../helpers/emulator.ts';

// The other stack's side uses the AWS SDK and the libraries as they come, with no Postbox code.
const aws = { endpoint: inject('awsEndpoint'), region: 'us-east-1' };
const sns = new SNSClient(aws);
const sqs = new SQSClient(aws);
const placed = { orderId: 'o-1', customerId: 'c-1', totalCents: 1200, currency: 'EUR' };

const temporary: string[] = [];
afterAll(() => {
  for (const made of temporary) rmSync(made, { recursive: true, force: true });
});

/** The orders example provisioned under a stage of its own, and a Postbox publisher for it. */
async function provisionOrders() {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(ordersTopology, { stage }), { sns, sqs });
  const publisher = new Publisher(ordersTopology, { stage, source: 'urn:orders:checkout', sns, sqs });
  return { stage, provisioned, publisher, notificationsUrl: provisioned.queues.get('notifications')!.url };
}

/** ReceiveMessage until `count` messages came (each hidden for 30 s), as any SQS consumer would. */
async function receive(queueUrl: string, count: number, visibilitySeconds = 30): Promise<Message[]> {
  const messages: Message[] = [];
  for (let attempt = 0; attempt < 10 && messages.length < count; attempt++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: visibilitySeconds, MessageAttributeNames: ['All'] }),
    );
    messages.push(...Messages);
  }
  return messages;
}

/** notifications' real Lambda pipeline behind a local event source, recording what its handlers were given. */
function notificationsPipeline(stage: string, queueUrl: string) {
  const handled: Envelope[] = [];
  const noop = () => undefined;
  const source = new LocalEventSource({
    sqs,
    queueUrl,
    waitTimeSeconds: 1,
    handler: createSqsHandler(ordersTopology, {
      stage,
      queue: 'notifications',
      sqs,
      logger: createLogger({}, { write: noop }),
      writeMetrics: noop,
      // Notifications declares idempotency; its records are beside the point here.
      idempotencyStore: new InMemoryIdempotencyStore(),
      handlers: { 'order.placed': (message) => void handled.push(message), 'order.cancelled': (message) => void handled.push(message) },
    }),
  });
  return { handled, source };
}

describe('a consumer in another stack', () => {
  it("receives the orders example's events as strict CloudEvents whose data matches the JSON Schema their dataschema names", async () => {
    const { publisher, notificationsUrl } = await provisionOrders();
    await publisher.publish('order.placed', placed);
    await publisher.publish('order.cancelled', { orderId: 'o-1', reason: 'changed my mind' });

    // The contract as `postbox docs --json-schema` writes it, loaded by $id as any JSON Schema validator does.
    const out = mkdtempSync(path.join(os.tmpdir(), 'postbox-contract-'));
    temporary.push(out);
    const written = await runCli(['docs', '--json-schema', '--out', out], { out: () => undefined, err: () => undefined, interactive: false });
    expect(written).toBe(0);
    const ajv = new Ajv2020({ strict: true });
    for (const file of readdirSync(out)) ajv.addSchema(JSON.parse(readFileSync(path.join(out, file), 'utf8')));

    const messages = await receive(notificationsUrl, 2);
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      const body = JSON.parse(message.Body!);
      const event = new CloudEvent<unknown>(body, true); // strict: throws on anything the spec refuses
      expect(event.validate()).toBe(true);
      expect(event.dataschema).toBe(`urn:postbox:orders:${body.type}:1`);
      const validate = ajv.getSchema(event.dataschema!);
      expect(validate, event.dataschema).toBeDefined();
      expect(validate!(event.data), JSON.stringify(validate!.errors)).toBe(true);
      expect(message.MessageAttributes?.type?.StringValue).toBe(event.type);
    }
    expect(messages.map((message) => JSON.parse(message.Body!).type).sort()).toEqual(['order.cancelled', 'order.placed']);
  });

  it("parses Postbox's bodies with Powertools' parser, and consumes them with sqs-consumer without an error", async () => {
    const { publisher, notificationsUrl } = await provisionOrders();
    await publisher.publishMany([
      { type: 'order.placed', data: placed },
      { type: 'order.placed', data: { ...placed, orderId: 'o-2' } },
      { type: 'order.cancelled', data: { orderId: 'o-1', reason: 'late' } },
    ]);
    // What a Powertools user writes for Postbox's envelopes: the CloudEvent, its data by type.
    const base = { specversion: z.literal('1.0'), id: z.string(), source: z.string(), time: z.iso.datetime(), dataschema: z.string(), correlationid: z.string() };
    const OrderEvent = z.discriminatedUnion('type', [
      z.object({ ...base, type: z.literal('order.placed'), data: OrderPlaced }),
      z.object({ ...base, type: z.literal('order.cancelled'), data: OrderCancelled }),
    ]);

    // A Lambda function with Powertools: the SQS event's JSON bodies parsed by SqsEnvelope (peeked, visibility 0).
    const peeked = await receive(notificationsUrl, 3, 0);
    const lambdaEvent = { Records: peeked.map((message) => toSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:notifications', 'us-east-1')) };
    const fromLambda = parse(lambdaEvent, SqsEnvelope, JSONStringified(OrderEvent));
    expect(fromLambda.map((event) => event.type).sort()).toEqual(['order.cancelled', 'order.placed', 'order.placed']);

    // A long-running consumer with sqs-consumer, each body parsed with Powertools' JSONStringified.
    const consumed: Array<z.infer<typeof OrderEvent>> = [];
    const errors: Error[] = [];
    const consumer = Consumer.create({
      queueUrl: notificationsUrl,
      sqs,
      waitTimeSeconds: 1,
      handleMessage: async (message) => {
        consumed.push(parse(message.Body, undefined, JSONStringified(OrderEvent)));
        return message;
      },
    });
    consumer.on('error', (error) => void errors.push(error));
    consumer.on('processing_error', (error) => void errors.push(error));
    consumer.on('timeout_error', (error) => void errors.push(error));
    consumer.start();
    // Until all three are handled and deleted: sqs-consumer deletes a message after its handler returns, so a stop
    // right after the third handler would leave that delete undone on a loaded machine.
    const drained = async () => consumed.length >= 3 && JSON.stringify(await queueDepth(sqs, notificationsUrl)) === JSON.stringify({ visible: 0, inFlight: 0 });
    try {
      const deadline = Date.now() + 20_000;
      while (!(await drained()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      consumer.stop({ abort: true });
    }
    expect(errors).toEqual([]);
    expect(consumed.map((event) => event.data.orderId).sort()).toEqual(['o-1', 'o-1', 'o-2']);
    expect(await queueDepth(sqs, notificationsUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('a producer in another stack', () => {
  it('publishes a CloudEvent made with the CloudEvents SDK by a plain SNS Publish with a type attribute, and a Postbox handler handles it', async () => {
    const { stage, provisioned, notificationsUrl } = await provisionOrders();
    const event = new CloudEvent({ type: 'order.placed', source: 'urn:python:checkout', datacontenttype: 'application/json', data: placed });
    await sns.send(
      new PublishCommand({
        TopicArn: provisioned.topicArns.get('orders'),
        Message: HTTP.structured(event).body as string,
        MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
      }),
    );
    const { handled, source } = notificationsPipeline(stage, notificationsUrl);
    await pollUntil(source, () => handled.length === 1);
    expect(handled[0]).toMatchObject({ id: event.id, source: 'urn:python:checkout', type: 'order.placed', time: event.time, data: placed, kind: 'event', correlationid: event.id });
    expect(await queueDepth(sqs, provisioned.queues.get('notifications')!.deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('publishes one whose data the SDK carries as data_base64, and a Postbox handler handles it', async () => {
    const { stage, provisioned, notificationsUrl } = await provisionOrders();
    const event = new CloudEvent({ type: 'order.placed', source: 'urn:python:checkout', datacontenttype: 'application/json', data: new TextEncoder().encode(JSON.stringify(placed)) });
    const body = HTTP.structured(event).body as string;
    expect(JSON.parse(body)).toHaveProperty('data_base64');
    expect(JSON.parse(body)).not.toHaveProperty('data');
    await sns.send(new PublishCommand({ TopicArn: provisioned.topicArns.get('orders'), Message: body, MessageAttributes: { type: { DataType: 'String', StringValue: event.type } } }));
    const { handled, source } = notificationsPipeline(stage, notificationsUrl);
    await pollUntil(source, () => handled.length === 1);
    expect(handled[0]).toMatchObject({ id: event.id, type: 'order.placed', data: placed });
    expect(await queueDepth(sqs, provisioned.queues.get('notifications')!.deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});
