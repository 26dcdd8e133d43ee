import { describe, expect, it } from 'vitest';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { payloadPointerBody } from '../../lib/messages/payload-pointer.ts';
import { PayloadMissingError } from '../../lib/runtime/payloads/payload-errors.ts';
import type { PayloadStore } from '../../lib/runtime/payloads/s3-payload-store.ts';
import { EmfMetrics } from '../../lib/runtime/observability/emf-metrics.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { HandlerConfigurationError } from '../../lib/runtime/consuming/handler-configuration-error.ts';
import { MessageProcessor, type ReceivedMessage } from '../../lib/runtime/consuming/message-processor.ts';
import { queueById, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const topology = resolveTopology(paymentsTopology, { stage: 'dev' });
const accounting = queueById(topology, 'accounting')!;
const catalog = new MessageCatalog(topology);

function setUp(handlers: Record<string, (...args: any[]) => unknown>) {
  const lines: string[] = [];
  const logs: string[] = [];
  const metrics = new EmfMetrics('Postbox/pay', 'accounting', (line) => lines.push(line));
  const processor = new MessageProcessor(accounting, catalog, handlers, createLogger({}, { write: (line) => logs.push(line) }), metrics, () => 0);
  return { processor, metrics, lines, logs };
}

const received = (body: unknown, type = 'payment.received', receiveCount = 1): ReceivedMessage => ({
  messageId: 'm-1',
  receiptHandle: 'r',
  body: JSON.stringify(body),
  attributes: { type },
  receiveCount,
});

describe('MessageProcessor', () => {
  it('refuses handlers that do not match the queue, listing each mismatch', () => {
    expect(() => setUp({ 'payment.received': () => undefined, 'ledger.entry': () => undefined })).toThrowError(
      new HandlerConfigurationError("queue 'accounting'", ["no handler for 'payment.refunded'", "'ledger.entry' never arrives on this queue"]),
    );
    expect(new HandlerConfigurationError("queue 'q'", ['a', 'b']).message).toBe("The handlers of queue 'q' do not match the topology: a; b.");
  });

  it('passes the validated envelope and a context with the attempt to the handler of its type', async () => {
    const calls: unknown[] = [];
    const { processor } = setUp({ 'payment.received': (message, context) => calls.push([message.data, context.attempt, context.queue]), 'payment.refunded': () => undefined });
    const outcome = await processor.process(received({ paymentId: 'p', amountCents: 5 }, 'payment.received', 2));
    expect(outcome.status).toBe('processed');
    expect(calls).toEqual([[{ paymentId: 'p', amountCents: 5 }, 2, 'accounting']]);
  });

  it('dead-letters, with the reason and without running its handler, a message received past its last attempt (the attempts before ended in a crash or a time-out)', async () => {
    let calls = 0;
    const { processor } = setUp({ 'payment.received': () => void calls++, 'payment.refunded': () => undefined });
    const outcome = await processor.process(received({ paymentId: 'p', amountCents: 5 }, 'payment.received', accounting.maxReceiveCount + 1));
    expect(calls).toBe(0);
    expect(outcome).toMatchObject({ status: 'failed', action: 'dead-letter', messageType: 'payment.received' });
    expect((outcome as { error: Error }).error).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect((outcome as { error: Error }).error.message).toMatch(/received 4 times.*ended without a result/);
  });

  it("names the message's trace id on the lines it logs, so a failure is found from its trace", async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { processor, logs } = setUp({
      'payment.received': (_message, context) => {
        context.logger.info('charging');
        throw new Error('boom');
      },
      'payment.refunded': () => undefined,
    });
    const message = received({ paymentId: 'p', amountCents: 5 });
    await processor.process({ ...message, attributes: { ...message.attributes, traceparent } });
    expect(logs.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ message: 'charging', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }),
      expect.objectContaining({ message: 'message failed; will retry', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    ]);
    await processor.process(received({ paymentId: '', amountCents: 5 }));
    expect(JSON.parse(logs[2]!)).not.toHaveProperty('traceId');
  });

  it('continues the trace of a message that SNS delivered without raw delivery, its attributes inside the body', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    let traceId: string | undefined;
    const { processor, logs } = setUp({
      'payment.received': (_message, context) => {
        traceId = context.traceContext.traceparent.split('-')[1];
        throw new Error('boom');
      },
      'payment.refunded': () => undefined,
    });
    const notification = {
      Type: 'Notification',
      MessageId: 'n-1',
      TopicArn: 'arn:aws:sns:us-east-1:111111111111:pay-dev-payments',
      Message: JSON.stringify({ paymentId: 'p', amountCents: 5 }),
      MessageAttributes: { type: { Type: 'String', Value: 'payment.received' }, traceparent: { Type: 'String', Value: traceparent } },
    };
    await processor.process({ ...received(notification), attributes: {} });
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(JSON.parse(logs[0]!)).toMatchObject({ message: 'message failed; will retry', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('decides to retry a thrown error with the backoff of its attempt, and logs it with the message fields', async () => {
    const { processor, logs } = setUp({ 'payment.received': () => Promise.reject(new Error('boom')), 'payment.refunded': () => undefined });
    const outcome = await processor.process(received({ paymentId: 'p', amountCents: 5 }));
    expect(outcome).toMatchObject({ status: 'failed', action: 'retry', delaySeconds: 1, messageType: 'payment.received', handler: 'accounting/payment.received' });
    expect(JSON.parse(logs[0]!)).toMatchObject({
      level: 'warn',
      message: 'message failed; will retry',
      messageId: 'm-1',
      messageType: 'payment.received',
      attempt: 1,
      errorCode: 'HANDLER_ERROR',
      error: 'boom',
      retryInSeconds: 1,
    });
  });

  it('counts processed and failed messages per type and flushes them as EMF', async () => {
    const { processor, metrics, lines } = setUp({ 'payment.received': () => undefined, 'payment.refunded': () => undefined });
    await processor.process(received({ paymentId: 'p', amountCents: 5 }));
    await processor.process(received({ paymentId: 'p', amountCents: -5 }));
    metrics.flush();
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0]!);
    expect(emf._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Postbox/pay',
        Dimensions: [['Queue', 'MessageType']],
        Metrics: [
          { Name: 'Processed', Unit: 'Count' },
          { Name: 'Failed', Unit: 'Count' },
          { Name: 'Retried', Unit: 'Count' },
          { Name: 'DeadLettered', Unit: 'Count' },
          { Name: 'Duplicate', Unit: 'Count' },
          { Name: 'Duration', Unit: 'Milliseconds' },
        ],
      },
    ]);
    expect(emf).toMatchObject({ Queue: 'accounting', MessageType: 'payment.received', Processed: 1, Failed: 1, Retried: 0, DeadLettered: 0, Duplicate: 0 });
    expect(emf.Duration).toHaveLength(2);
    metrics.flush();
    expect(lines).toHaveLength(1);
  });

  it('dead-letters at once an SNS notification with a null message attribute, rather than retrying it as a handler error', async () => {
    const { processor } = setUp({ 'payment.received': () => undefined, 'payment.refunded': () => undefined });
    const body = { Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:1:pay-dev-payments', Message: '{}', MessageAttributes: { type: null } };
    const outcome = await processor.process({ messageId: 'm-1', receiptHandle: 'r', body: JSON.stringify(body), attributes: {}, receiveCount: 1 });
    expect(outcome).toMatchObject({ status: 'failed', action: 'dead-letter', error: { code: 'MALFORMED_MESSAGE' } });
  });

  it('counts a failed message whose type the topology does not declare under MessageType unknown, however many bogus types arrive', async () => {
    const { processor, metrics, lines } = setUp({ 'payment.received': () => undefined, 'payment.refunded': () => undefined });
    const outcomes = [];
    for (const type of ['payment.lost', 'x'.repeat(300), 'payment.received']) outcomes.push(await processor.process(received({ paymentId: 'p', amountCents: -1 }, type)));
    metrics.flush();
    expect(lines.map((line) => JSON.parse(line).MessageType).sort()).toEqual(['payment.received', 'unknown']);
    expect(outcomes.map((outcome) => (outcome.status === 'failed' ? outcome.messageType : undefined))).toEqual(['unknown', 'unknown', 'payment.received']);
  });
});

describe('MessageProcessor and a pointer to a payload in S3 (claim check)', () => {
  const pointer = { bucket: 'pay-dev-payloads', key: 'payloads/e-1/u-1' };
  const envelope = { specversion: '1.0', id: 'e-1', source: 'test', type: 'payment.received', data: { paymentId: 'p-big', amountCents: 7 } };
  const pointerMessage = (): ReceivedMessage => ({
    messageId: 'm-1',
    receiptHandle: 'r',
    body: payloadPointerBody(pointer),
    attributes: { type: 'payment.received', kind: 'event', ExtendedPayloadSize: '123' },
    receiveCount: 1,
  });
  /** The store's interface in memory: the S3 store itself is tested against the emulator (test/integration/large-payloads.test.ts). */
  const store = (objects: Record<string, string>): PayloadStore => ({
    put: async () => undefined,
    get: async (messageId, { bucket, key }) => {
      const found = objects[`${bucket}/${key}`];
      if (found === undefined) throw new PayloadMissingError(messageId, { bucket, key });
      return found;
    },
  });
  const processorWith = (payloads: PayloadStore, handle: (message: unknown) => void) =>
    new MessageProcessor(accounting, catalog, { 'payment.received': handle, 'payment.refunded': () => undefined }, createLogger({}, { write: () => undefined }), new EmfMetrics('Postbox/pay', 'accounting', () => undefined), () => 0, payloads);

  it('hands the handler the payload the pointer names, validated', async () => {
    const seen: unknown[] = [];
    const processor = processorWith(store({ [`${pointer.bucket}/${pointer.key}`]: JSON.stringify(envelope) }), (message) => seen.push(message));
    const outcome = await processor.process(pointerMessage());
    expect(outcome.status).toBe('processed');
    expect(seen).toEqual([expect.objectContaining({ id: 'e-1', data: { paymentId: 'p-big', amountCents: 7 } })]);
  });

  it('validates the payload as it would the message: invalid data is dead-lettered as such', async () => {
    const invalid = { ...envelope, data: { paymentId: '', amountCents: 7 } };
    const processor = processorWith(store({ [`${pointer.bucket}/${pointer.key}`]: JSON.stringify(invalid) }), () => undefined);
    expect(await processor.process(pointerMessage())).toMatchObject({ status: 'failed', action: 'dead-letter', error: { code: 'SCHEMA_VALIDATION_FAILED' } });
  });

  it('dead-letters, with that reason, a message whose payload is gone', async () => {
    let calls = 0;
    const processor = processorWith(store({}), () => void calls++);
    const outcome = await processor.process(pointerMessage());
    expect(calls).toBe(0);
    expect(outcome).toMatchObject({ status: 'failed', action: 'dead-letter', error: { code: 'PAYLOAD_MISSING' } });
    expect((outcome as { error: Error }).error.message).toMatch(/^Message m-1 points to its payload at s3:\/\/pay-dev-payloads\/payloads\/e-1\/u-1, which does not exist/);
  });

  it('keeps a message without a pointer on the synchronous path', () => {
    const processor = processorWith(store({}), () => undefined);
    const outcome = processor.process(received({ paymentId: 'p', amountCents: 5 }));
    expect(outcome).toMatchObject({ status: 'processed' });
  });
});
