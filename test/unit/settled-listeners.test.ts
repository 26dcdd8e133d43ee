import type { Context } from 'aws-lambda';
import { afterEach, expect, it } from 'vitest';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { onMessageSettled } from '../../lib/runtime/consuming/queue-runtime.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { sqsRecord } from '../helpers/sqs-records.ts';

const record = (messageId: string) => sqsRecord(messageId, 'payment.received', { paymentId: messageId, amountCents: 100, currency: 'EUR' });
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
