import type { Context, SQSRecord } from 'aws-lambda';
import { afterEach, expect, it } from 'vitest';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { onMessageSettled } from '../../lib/runtime/consuming/queue-runtime.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const record = (messageId: string): SQSRecord => ({
  messageId,
  receiptHandle: `r-${messageId}`,
  body: JSON.stringify({ paymentId: messageId, amountCents: 100, currency: 'EUR' }),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1795380000000', SenderId: 's', ApproximateFirstReceiveTimestamp: '1795380000000' },
  messageAttributes: { type: { dataType: 'String', stringValue: 'payment.received', stringListValues: [], binaryListValues: [] } },
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
  awsRegion: 'us-east-1',
});
const context = { awsRequestId: 'req-1', functionName: 'f', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

let unsubscribe = () => undefined as void;
afterEach(() => unsubscribe());

it('settles a batch as it would without listeners when an onMessageSettled listener throws', async () => {
  const logs: string[] = [];
  unsubscribe = onMessageSettled(() => {
    throw new TypeError('Do not know how to serialize a BigInt');
  });
  const handled: string[] = [];
  const handler = createSqsHandler(paymentsTopology, {
    queue: 'accounting',
    handlers: { 'payment.received': ({ data }) => void handled.push(data.paymentId), 'payment.refunded': () => undefined },
    stage: 'dev',
    logger: createLogger({}, { write: (line) => logs.push(line) }),
    writeMetrics: () => undefined,
  });
  const response = await handler({ Records: [record('m-1'), record('m-2')] }, context);
  expect(handled).toEqual(['m-1', 'm-2']);
  expect(response).toEqual({ batchItemFailures: [] });
  expect(logs.some((line) => line.includes('an onMessageSettled listener failed'))).toBe(true);
});
