import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { restoreProducerAttributes } from '../../lib/messages/dead-letter-copy.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { readFailureRecord } from '../../lib/messages/failure-record.ts';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import { createSqsHandler, type SqsHandlerOptions } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import type { QueueId } from '../../lib/topology/queue-types.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { pollUntil } from '../helpers/polling.ts';
import { consumeInOrder, queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const silent = createLogger({}, { write: () => undefined });
type Payments = typeof paymentsTopology;

/** A fresh stage per test: its own queues, nothing left over from another test. */
async function setUp() {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
  const publisher = new Publisher(paymentsTopology, {
    stage,
    source: 'test',
    sns: clients.sns,
    sqs: clients.sqs,
    routes: {
      topicArns: Object.fromEntries(provisioned.topicArns),
      queueUrls: Object.fromEntries([...provisioned.queues].map(([id, queue]) => [id, queue.url])),
    },
  });
  const sourceFor = <Q extends QueueId<Payments>>(queue: Q, handlers: SqsHandlerOptions<Payments, Q>['handlers'], random = () => 0) =>
    new LocalEventSource({
      sqs: clients.sqs,
      queueUrl: provisioned.queues.get(queue)!.url,
      handler: createSqsHandler(paymentsTopology, { stage, queue, handlers, sqs: clients.sqs, logger: silent, writeMetrics: () => undefined, random }),
    });
  return { stage, provisioned, publisher, sourceFor };
}

function recorder() {
  const seen: Envelope<any>[] = [];
  const record = (message: Envelope<any>) => void seen.push(message);
  return { seen, record };
}

describe('publishing', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp();
  });

  it('delivers a published event to the subscribers that want its type only', async () => {
    const { id } = await env.publisher.publish('payment.received', { paymentId: 'p-1', amountCents: 500 });
    const accounting = await receiveAvailable(clients.sqs, env.provisioned.queues.get('accounting')!.url, { expected: 1 });
    expect(accounting.map((message) => JSON.parse(message.Body!))).toEqual([
      expect.objectContaining({ specversion: '1.0', id, type: 'payment.received', kind: 'event', source: 'test', data: { paymentId: 'p-1', amountCents: 500 } }),
    ]);
    expect(accounting[0]!.MessageAttributes).toMatchObject({ type: { StringValue: 'payment.received' }, kind: { StringValue: 'event' } });
    expect(await receiveAvailable(clients.sqs, env.provisioned.queues.get('fraud')!.url)).toEqual([]);
  });

  it('publishes 25 events in 3 batch calls and reports each as sent', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({ type: 'payment.refunded' as const, data: { paymentId: `r-${i}`, amountCents: i + 1 } }));
    const report = await env.publisher.publishMany(entries);
    expect(report).toMatchObject({ sent: 25, failed: 0, calls: 3 });
    expect(report.results.map((result) => result.index)).toEqual(entries.map((_, i) => i));
    const fraud = await receiveAvailable(clients.sqs, env.provisioned.queues.get('fraud')!.url, { expected: 25 });
    expect(fraud.map((message) => JSON.parse(message.Body!).data.paymentId).sort()).toEqual(entries.map((e) => e.data.paymentId).sort());
  });

  it('sends a command with a delay: invisible at first, delivered after it', async () => {
    await env.publisher.send('report.build', { month: '2026-10' }, { delaySeconds: 2 });
    const url = env.provisioned.queues.get('report-build')!.url;
    expect(await receiveAvailable(clients.sqs, url, { waitSeconds: 0 })).toEqual([]);
    const later = await receiveAvailable(clients.sqs, url, { waitSeconds: 3, expected: 1 });
    expect(JSON.parse(later[0]!.Body!)).toMatchObject({ type: 'report.build', kind: 'command', data: { month: '2026-10' } });
  });

  it('keeps FIFO order per message group through SNS', async () => {
    await env.publisher.publishMany(
      [1, 2, 3].map((sequence) => ({ type: 'ledger.entry' as const, data: { account: 'a', sequence }, options: { groupId: 'a' } })),
    );
    const audit = await consumeInOrder(clients.sqs, env.provisioned.queues.get('audit')!.url, 3);
    expect(audit.map((message) => JSON.parse(message.Body!).data.sequence)).toEqual([1, 2, 3]);
  });

  it('names a missing topic and says what to do', async () => {
    const lost = new Publisher(paymentsTopology, { stage: uniqueStage(), source: 'test', sns: clients.sns, sqs: clients.sqs });
    await expect(lost.publish('payment.received', { paymentId: 'p', amountCents: 1 })).rejects.toThrow(
      /was not delivered to topic pay-t[0-9a-f]+-payments: topic pay-t[0-9a-f]+-payments does not exist at this endpoint; deploy the stack \(or provision the topology locally\) for this stage/,
    );
  });
});

describe('the Lambda pipeline', () => {
  it('handles an event published with the plain SNS SDK: JSON body, type attribute', async () => {
    const env = await setUp();
    const { seen, record } = recorder();
    await clients.sns.send(
      new PublishCommand({
        TopicArn: env.provisioned.topicArns.get('payments'),
        Message: JSON.stringify({ paymentId: 'plain-1', amountCents: 42 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
      }),
    );
    const source = env.sourceFor('accounting', { 'payment.received': record, 'payment.refunded': record });
    await pollUntil(source, () => seen.length === 1);
    expect(seen[0]).toMatchObject({ type: 'payment.received', kind: 'event', source: 'urn:postbox:external', data: { paymentId: 'plain-1', amountCents: 42 } });
  });

  it('retries a handler that throws once after a visible backoff, then succeeds', async () => {
    const env = await setUp();
    const attempts: number[] = [];
    const flaky = (_: Envelope, { attempt }: { attempt: number }) => {
      attempts.push(attempt);
      if (attempt === 1) throw new Error('database not ready');
    };
    await env.publisher.publish('payment.received', { paymentId: 'p-2', amountCents: 700 });
    const source = env.sourceFor('accounting', { 'payment.received': flaky, 'payment.refunded': flaky });
    const url = env.provisioned.queues.get('accounting')!.url;

    const first = await pollUntil(source, () => attempts.length === 1);
    expect(first.at(-1)).toEqual({ received: 1, deleted: 0, failed: 1, notDeleted: [] });
    expect(await queueDepth(clients.sqs, url)).toEqual({ visible: 0, inFlight: 1 });
    const failedAt = Date.now();
    await pollUntil(source, () => attempts.length === 2);
    // Back after the 1 s backoff, not after the queue's 30 s visibility timeout.
    expect(Date.now() - failedAt).toBeLessThan(10_000);
    expect(attempts).toEqual([1, 2]);
    expect(await queueDepth(clients.sqs, url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('dead-letters a poison message after one attempt with the reason, while the rest of its batch succeeds', async () => {
    const env = await setUp();
    const { seen, record } = recorder();
    const url = env.provisioned.queues.get('accounting')!.url;
    await env.publisher.publish('payment.received', { paymentId: 'ok-1', amountCents: 1 });
    const { MessageId: poisonId } = await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ paymentId: 'bad', amountCents: -5 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
      }),
    );
    await env.publisher.publish('payment.refunded', { paymentId: 'ok-2', amountCents: 2 });
    const source = env.sourceFor('accounting', { 'payment.received': record, 'payment.refunded': record });
    await pollUntil(source, () => seen.length === 2);

    const [deadLetter] = await receiveAvailable(clients.sqs, env.provisioned.queues.get('accounting')!.deadLetterUrl, { expected: 1 });
    expect(JSON.parse(deadLetter!.Body!)).toEqual({ paymentId: 'bad', amountCents: -5 });
    const attributes = Object.fromEntries(Object.entries(deadLetter!.MessageAttributes!).map(([name, value]) => [name, value.StringValue]));
    expect(attributes).toMatchObject({
      type: 'payment.received',
      'postbox.errorCode': 'SCHEMA_VALIDATION_FAILED',
      'postbox.handler': 'accounting/payment.received',
      'postbox.attempt': '1',
      'postbox.sourceMessageId': poisonId,
    });
    expect(attributes['postbox.errorMessage']).toMatch(/does not match its schema: amountCents: Too small/);
    expect(seen.map((message) => message.data.paymentId).sort()).toEqual(['ok-1', 'ok-2']);
    expect(await queueDepth(clients.sqs, url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it.each([
    [9, 'keeps every producer attribute exactly, the failure record in one JSON attribute'],
    [10, 'keeps type and as many producer attributes as fit, and carries the rest in the failure record'],
  ])('dead-letters a plain message with %i attributes: %s, so a redrive restores them all', async (count) => {
    const env = await setUp();
    const url = env.provisioned.queues.get('accounting')!.url;
    const attributes: Record<string, MessageAttributeValue> = {};
    for (let i = 0; i < count - 1; i++) {
      attributes[`attr${i}`] = [
        { DataType: 'Number.cents', StringValue: String(100 + i) },
        { DataType: 'Binary', BinaryValue: new Uint8Array([i, 0, 255]) },
        { DataType: 'String.region', StringValue: `eu-west-${i}` },
      ][i % 3]!;
    }
    attributes.type = { DataType: 'String', StringValue: 'payment.received' };
    const { MessageId } = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ paymentId: 'bad', amountCents: -5 }), MessageAttributes: attributes }),
    );
    const source = env.sourceFor('accounting', { 'payment.received': () => undefined, 'payment.refunded': () => undefined });
    const dlq = env.provisioned.queues.get('accounting')!.deadLetterUrl;
    await pollUntil(source, async () => (await queueDepth(clients.sqs, dlq)).visible === 1);
    const [deadLetter] = await receiveAvailable(clients.sqs, dlq, { expected: 1 });
    const copy = deadLetter!.MessageAttributes!;
    expect(Object.keys(copy)).toHaveLength(10);
    expect(copy.type).toEqual(attributes.type);
    expect(Object.keys(copy).filter((name) => name.startsWith('postbox.'))).toEqual(['postbox.failure']);
    const strings = Object.fromEntries(Object.entries(copy).map(([name, value]) => [name, value.StringValue]));
    expect(readFailureRecord(strings)).toMatchObject({ errorCode: 'SCHEMA_VALIDATION_FAILED', attempt: 1, sourceMessageId: MessageId });
    const restored = restoreProducerAttributes(copy);
    expect(Object.keys(restored).sort()).toEqual(Object.keys(attributes).sort());
    for (const [name, value] of Object.entries(attributes)) {
      expect(restored[name]).toMatchObject(value.BinaryValue ? { DataType: value.DataType, BinaryValue: value.BinaryValue } : value);
    }
  });

  it('dead-letters malformed JSON, unknown types and UnrecoverableError at once, each with its code', async () => {
    const env = await setUp();
    const url = env.provisioned.queues.get('accounting')!.url;
    const send = (body: string, type?: string) =>
      clients.sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: body, ...(type && { MessageAttributes: { type: { DataType: 'String', StringValue: type } } }) }),
      );
    await send('{not json');
    await send(JSON.stringify({ x: 1 }), 'ledger.entry');
    await send(JSON.stringify({ x: 1 }));
    await env.publisher.publish('payment.refunded', { paymentId: 'refuse-me', amountCents: 3 });
    const refuse = () => {
      throw new UnrecoverableError('refunds are closed for this account', { code: 'REFUNDS_CLOSED' });
    };
    const source = env.sourceFor('accounting', { 'payment.received': () => undefined, 'payment.refunded': refuse });
    const dlq = env.provisioned.queues.get('accounting')!.deadLetterUrl;
    await pollUntil(source, async () => (await queueDepth(clients.sqs, dlq)).visible === 4);
    const deadLetters = await receiveAvailable(clients.sqs, dlq, { expected: 4 });
    const codes = deadLetters.map((message) => message.MessageAttributes!['postbox.errorCode']!.StringValue!).sort();
    expect(codes).toEqual(['MALFORMED_MESSAGE', 'REFUNDS_CLOSED', 'UNKNOWN_MESSAGE_TYPE', 'UNKNOWN_MESSAGE_TYPE']);
    for (const message of deadLetters) expect(message.MessageAttributes!['postbox.attempt']!.StringValue).toBe('1');
    expect(await queueDepth(clients.sqs, url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('moves a message that keeps failing to the DLQ after max receive count (3)', async () => {
    const env = await setUp();
    let attempts = 0;
    const broken = () => {
      attempts += 1;
      throw new Error('downstream is down');
    };
    await env.publisher.publish('payment.refunded', { paymentId: 'doomed', amountCents: 9 });
    const source = env.sourceFor('accounting', { 'payment.received': broken, 'payment.refunded': broken });
    const dlqUrl = env.provisioned.queues.get('accounting')!.deadLetterUrl;
    await pollUntil(source, () => attempts === 3);
    const [deadLetter] = await receiveAvailable(clients.sqs, dlqUrl, { expected: 1 });
    expect(JSON.parse(deadLetter!.Body!).data.paymentId).toBe('doomed');
    expect(deadLetter!.MessageAttributes!['postbox.errorCode']!.StringValue).toBe('RETRIES_EXHAUSTED');
    expect(deadLetter!.MessageAttributes!['postbox.errorMessage']!.StringValue).toMatch(/failed 3 times; last error: downstream is down/);
    expect(await queueDepth(clients.sqs, env.provisioned.queues.get('accounting')!.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('dead-letters with its reason a message whose last attempt ended in a crash, before the redrive policy moves it without one', async () => {
    const env = await setUp();
    let attempts = 0;
    await env.publisher.publish('payment.refunded', { paymentId: 'crashes', amountCents: 9 });
    const { url, deadLetterUrl } = env.provisioned.queues.get('accounting')!;
    // Three attempts (accounting's maxReceiveCount) that never report: the process died holding the message.
    for (let receive = 1; receive <= 3; receive++) await receiveAvailable(clients.sqs, url, { visibilitySeconds: 0, expected: 1 });
    const count = () => void attempts++;
    await pollUntil(env.sourceFor('accounting', { 'payment.received': count, 'payment.refunded': count }), async () => (await queueDepth(clients.sqs, deadLetterUrl)).visible === 1);
    expect(attempts).toBe(0);
    const [deadLetter] = await receiveAvailable(clients.sqs, deadLetterUrl, { expected: 1 });
    expect(deadLetter!.MessageAttributes!['postbox.errorCode']!.StringValue).toBe('RETRIES_EXHAUSTED');
    expect(deadLetter!.MessageAttributes!['postbox.errorMessage']!.StringValue).toMatch(/received 4 times; its last attempt ended without a result/);
    expect(await queueDepth(clients.sqs, url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps the order of a FIFO group across a failure', async () => {
    const env = await setUp();
    const handled: number[] = [];
    let failedOnce = false;
    const ordered = ({ data }: Envelope<{ sequence: number }>) => {
      if (data.sequence === 2 && !failedOnce) {
        failedOnce = true;
        throw new Error('transient');
      }
      handled.push(data.sequence);
    };
    await env.publisher.publishMany(
      [1, 2, 3, 4].map((sequence) => ({ type: 'ledger.entry' as const, data: { account: 'acc', sequence }, options: { groupId: 'acc' } })),
    );
    const source = env.sourceFor('audit', { 'ledger.entry': ordered });
    await pollUntil(source, () => handled.length === 4);
    expect(failedOnce).toBe(true);
    expect(handled).toEqual([1, 2, 3, 4]);
  });
});
