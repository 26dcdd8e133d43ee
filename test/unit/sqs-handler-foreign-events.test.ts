import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { NotAnSqsEventError } from '../../lib/runtime/consuming/lambda/sqs-event.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { sqsRecord } from '../helpers/sqs-records.ts';

/* The Lambda handler given events that are not SQS batches: it refuses them, saying what came and what it takes. */

const logs: string[] = [];
const handled: string[] = [];
const handler = createSqsHandler(paymentsTopology, {
  stage: 'dev',
  logger: createLogger({}, { write: (line) => logs.push(line) }),
  writeMetrics: () => undefined,
  queue: 'accounting',
  handlers: {
    'payment.received': ({ data }) => void handled.push(data.paymentId),
    'payment.refunded': () => undefined,
  },
});
const invoke = (event: unknown) => handler(event as SQSEvent, { awsRequestId: 'req-1' } as Context);

const snsEvent = {
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:pay-dev-payments:1',
      Sns: { Type: 'Notification', MessageId: 'n-1', TopicArn: 'arn:aws:sns:us-east-1:000000000000:pay-dev-payments', Message: '{}' },
    },
  ],
};

describe('createSqsHandler given an event that is not an SQS batch', () => {
  it.each([
    ['an SNS event', snsEvent, /received an SNS notification \(record 1 of 1\).*subscribed to the topic directly/],
    ['an API Gateway request', { httpMethod: 'POST', path: '/', headers: {}, body: '{}', requestContext: {} }, /received an HTTP request/],
    ['an empty object', {}, /received an empty object/],
    ['null', null, /received null/],
    ['a string', 'hello', /received a string/],
    ['an S3 event', { Records: [{ eventSource: 'aws:s3', s3: {} }] }, /received a record from 'aws:s3'/],
  ])('refuses %s, saying what it received and that it expects an SQS batch', async (_name, event, said) => {
    const refusal = await invoke(event).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NotAnSqsEventError);
    expect((refusal as NotAnSqsEventError).code).toBe('NOT_AN_SQS_EVENT');
    expect((refusal as Error).message).toMatch(said);
    expect((refusal as Error).message).toMatch(/handler of queue 'pay-dev-accounting'.*it expects an SQS batch/);
  });

  it('refuses an SQS-looking batch with a malformed record before processing any record, naming the record and the field', async () => {
    handled.length = 0;
    const { attributes: _dropped, ...withoutAttributes } = sqsRecord('m-2', 'payment.received', { paymentId: 'p-2', amountCents: 1 });
    const event = { Records: [sqsRecord('m-1', 'payment.received', { paymentId: 'p-1', amountCents: 1 }), withoutAttributes] };
    const refusal = await invoke(event).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NotAnSqsEventError);
    expect((refusal as Error).message).toContain('received an SQS batch whose record 2 of 2 has no object attributes (undefined)');
    expect(handled).toEqual([]);

    const noId = { ...sqsRecord('m-3', 'payment.received', { paymentId: 'p-3', amountCents: 1 }), messageId: 3 };
    await expect(invoke({ Records: [noId] })).rejects.toThrow('record 1 of 1 has no string messageId (a number)');
  });

  it('logs the refusal as such, not as a batch returned to the queue', async () => {
    logs.length = 0;
    await invoke(snsEvent).catch(() => undefined);
    const [line] = logs.map((text) => JSON.parse(text));
    expect(line.message).toBe('invocation refused: the event is not an SQS batch');
  });

  it('still handles an SQS batch, and an empty one', async () => {
    handled.length = 0;
    const response = await invoke({ Records: [sqsRecord('m-1', 'payment.received', { paymentId: 'p-1', amountCents: 1 })] });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handled).toEqual(['p-1']);
    expect(await invoke({ Records: [] })).toEqual({ batchItemFailures: [] });
  });
});
