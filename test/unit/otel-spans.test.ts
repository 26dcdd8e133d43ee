import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { MessageProcessor, type ReceivedMessage } from '../../lib/runtime/consuming/message-processor.ts';
import type { HandlerContext } from '../../lib/runtime/consuming/handler-context.ts';
import { EmfMetrics } from '../../lib/runtime/observability/emf-metrics.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { parseTraceparent } from '../../lib/runtime/observability/trace-context.ts';
import type { OutboxRecord } from '../../lib/runtime/publishing/outbox/outbox-record.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { queueById, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
const topology = resolveTopology(paymentsTopology, { stage: 'dev' });
const keys = { accessKeyId: 'x', secretAccessKey: 'x' };
// serialize() sends nothing: these clients are never called.
const publisher = new Publisher(paymentsTopology, {
  stage: 'dev',
  source: 'test',
  sns: new SNSClient({ region: 'eu-west-1', credentials: keys }),
  sqs: new SQSClient({ region: 'eu-west-1', credentials: keys }),
  account: '111111111111',
  region: 'eu-west-1',
});
const payment = { paymentId: 'p-1', amountCents: 500 };

/** A payment.received delivery to the accounting queue whose handler writes a follow-up to the outbox. */
function handleWithFollowUp(traceparent?: string) {
  let seen: HandlerContext | undefined;
  let followUp: OutboxRecord | undefined;
  const processor = new MessageProcessor(
    queueById(topology, 'accounting')!,
    new MessageCatalog(topology),
    {
      'payment.received': async (_message: unknown, handlerContext: HandlerContext) => {
        seen = handlerContext;
        [followUp] = await publisher.serialize([{ type: 'report.build', data: { month: '2026-12' } }]);
      },
      'payment.refunded': () => undefined,
    },
    createLogger({}, { write: () => undefined }),
    new EmfMetrics('Postbox/pay', 'accounting', () => undefined),
  );
  const message: ReceivedMessage = {
    messageId: 'sqs-1',
    receiptHandle: 'r',
    body: JSON.stringify({ specversion: '1.0', id: 'e-1', source: 'test', type: 'payment.received', kind: 'event', data: payment }),
    attributes: { type: 'payment.received', ...(traceparent && { traceparent }) },
    receiveCount: 1,
  };
  return { run: async () => processor.process(message), seen: () => seen!, followUp: () => followUp! };
}

describe('without an OpenTelemetry SDK', () => {
  it('records no span, and still carries the trace in the outbox record and the handler context', async () => {
    const handling = handleWithFollowUp(`00-${TRACE_ID}-${PARENT_SPAN}-01`);
    expect(await handling.run()).toMatchObject({ status: 'processed' });
    expect(parseTraceparent(handling.seen().traceContext.traceparent)?.traceId).toBe(TRACE_ID);
    // No active span to inherit without an SDK: a follow-up joins the trace only when given `context.traceContext`.
    expect(parseTraceparent(handling.followUp().attributes.traceparent)).toBeDefined();
    const [record] = await publisher.serialize([{ type: 'report.build', data: { month: '2026-12' }, options: { traceContext: handling.seen().traceContext } }]);
    expect(parseTraceparent(record!.attributes.traceparent)?.traceId).toBe(TRACE_ID);
  });
});

describe('with an OpenTelemetry SDK registered', () => {
  const exporter = new InMemorySpanExporter();

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });

  afterAll(() => {
    trace.disable();
    context.disable();
  });

  it('records a consumer span, child of the message, and the follow-up is a producer span inside it, kept in its outbox record', async () => {
    exporter.reset();
    const handling = handleWithFollowUp(`00-${TRACE_ID}-${PARENT_SPAN}-01`);
    expect(await handling.run()).toMatchObject({ status: 'processed' });
    const spans = exporter.getFinishedSpans();
    const consumer = spans.find((span) => span.kind === SpanKind.CONSUMER)!;
    const producer = spans.find((span) => span.kind === SpanKind.PRODUCER)!;
    // Named, as the producer span is, by the physical destination.
    expect(consumer).toMatchObject({
      name: 'process pay-dev-accounting',
      attributes: { 'messaging.destination.name': 'pay-dev-accounting', 'postbox.queue.id': 'accounting', 'messaging.message.id': 'sqs-1', 'postbox.message.type': 'payment.received' },
    });
    expect(consumer.spanContext().traceId).toBe(TRACE_ID);
    expect(consumer.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(handling.seen().traceContext.traceparent).toBe(`00-${TRACE_ID}-${consumer.spanContext().spanId}-01`);
    expect(producer.name).toBe('create pay-dev-report-build');
    expect(producer.parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);
    expect(handling.followUp().attributes.traceparent).toBe(`00-${TRACE_ID}-${producer.spanContext().spanId}-01`);
  });

  it('marks the consumer span failed when the handler throws', async () => {
    exporter.reset();
    const processor = new MessageProcessor(
      queueById(topology, 'accounting')!,
      new MessageCatalog(topology),
      { 'payment.received': () => { throw new Error('ledger down'); }, 'payment.refunded': () => undefined },
      createLogger({}, { write: () => undefined }),
      new EmfMetrics('Postbox/pay', 'accounting', () => undefined),
      () => 0,
    );
    await processor.process({
      messageId: 'sqs-2',
      receiptHandle: 'r',
      body: JSON.stringify({ specversion: '1.0', id: 'e-2', source: 'test', type: 'payment.received', kind: 'event', data: payment }),
      attributes: { type: 'payment.received' },
      receiveCount: 1,
    });
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ledger down' });
  });

  it('records a consumer span for every record of a Lambda batch (the handler asks for the SDK once per invocation)', async () => {
    exporter.reset();
    const handler = createSqsHandler(paymentsTopology, {
      stage: 'dev',
      queue: 'accounting',
      handlers: { 'payment.received': () => undefined, 'payment.refunded': () => undefined },
      sqs: new SQSClient({ region: 'eu-west-1', credentials: keys }),
      logger: createLogger({}, { write: () => undefined }),
      writeMetrics: () => undefined,
    });
    const records = ['sqs-3', 'sqs-4'].map((messageId) => ({
      messageId,
      receiptHandle: 'r',
      body: JSON.stringify(payment),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1700000000000' },
      messageAttributes: {
        type: { dataType: 'String', stringValue: 'payment.received' },
        traceparent: { dataType: 'String', stringValue: `00-${TRACE_ID}-${PARENT_SPAN}-01` },
      },
      eventSource: 'aws:sqs',
    }));
    expect(await handler({ Records: records } as never, { awsRequestId: 'req-1' } as never)).toEqual({ batchItemFailures: [] });
    const spans = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CONSUMER);
    expect(spans.map((span) => span.attributes['messaging.message.id'])).toEqual(['sqs-3', 'sqs-4']);
    for (const span of spans) expect(span.parentSpanContext?.spanId).toBe(PARENT_SPAN);
  });

  it('records no span once the SDK is unregistered, and the trace still crosses the handler', async () => {
    trace.disable();
    exporter.reset();
    const handling = handleWithFollowUp(`00-${TRACE_ID}-${PARENT_SPAN}-01`);
    expect(await handling.run()).toMatchObject({ status: 'processed' });
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(parseTraceparent(handling.seen().traceContext.traceparent)).toMatchObject({ traceId: TRACE_ID, flags: 1 });
  });
});
