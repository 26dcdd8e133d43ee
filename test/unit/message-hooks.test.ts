import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import { createSqsHandler, type SqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { addProcessHooks, type MessageHooks } from '../../lib/runtime/consuming/message-hooks.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { sqsRecord } from '../helpers/sqs-records.ts';

const record = (messageId: string) => sqsRecord(messageId, 'payment.received', { paymentId: messageId, amountCents: 100, currency: 'EUR' });
const context = { awsRequestId: 'req-1', functionName: 'f', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

let removeProcessHooks = () => undefined as void;
afterEach(() => removeProcessHooks());

/** A Lambda handler of the accounting queue with these hooks, whose handler fails `poison` for good; and its log. */
function accountingHandler(hooks: readonly MessageHooks[] = []) {
  const logs: string[] = [];
  const handler = createSqsHandler(paymentsTopology, {
    queue: 'accounting',
    handlers: {
      'payment.received': ({ data }) => {
        if (data.paymentId === 'poison') throw new UnrecoverableError('never payable');
      },
      'payment.refunded': () => undefined,
    },
    stage: 'dev',
    hooks,
    // A loopback port nothing listens on: a dead-letter copy fails at once, without an emulator or the network.
    sqs: new SQSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }),
    queueUrl: 'http://127.0.0.1:9/000000000000/pay-dev-accounting',
    deadLetterQueueUrl: 'http://127.0.0.1:9/000000000000/pay-dev-accounting-dlq',
    logger: createLogger({}, { write: (line) => logs.push(line) }),
    writeMetrics: () => undefined,
  });
  return { handler, logs };
}

describe('message hooks', () => {
  it('run before each message, on its failure, and after it is settled, on the Lambda path', async () => {
    const seen: string[] = [];
    const { handler } = accountingHandler([
      {
        before: (message, queue) => seen.push(`before ${message.messageId} on ${queue.id}`),
        onError: ({ message, outcome }) => seen.push(`onError ${message.messageId}: ${outcome.action}`),
        after: ({ message, outcome, left }) => seen.push(`after ${message.messageId}: ${outcome.status}, left ${left}`),
      },
    ]);
    await handler({ Records: [record('m-1')] }, context);
    expect(seen).toEqual(['before m-1 on accounting', 'after m-1: processed, left true']);
  });

  it('tell onError what becomes of a failed message before it is dead-lettered', async () => {
    const failed: string[] = [];
    const { handler } = accountingHandler([{ onError: ({ message, outcome }) => failed.push(`${message.messageId}: ${outcome.action}`) }]);
    const poison = sqsRecord('p-1', 'payment.received', { paymentId: 'poison', amountCents: 100, currency: 'EUR' });
    // The DLQ copy fails here (nothing listens): the failure is what the hook is told of.
    await handler({ Records: [poison] }, context).catch(() => undefined);
    expect(failed).toEqual(['p-1: dead-letter']);
  });

  it('settles a batch as it would without hooks when a hook throws, and logs the failing hook', async () => {
    removeProcessHooks = addProcessHooks({
      after: () => {
        throw new TypeError('Do not know how to serialize a BigInt');
      },
    });
    const { handler, logs } = accountingHandler();
    const response = await handler({ Records: [record('m-1'), record('m-2')] }, context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(logs.some((line) => line.includes('a message hook (after) failed; the message is settled all the same'))).toBe(true);
  });

  it("reach every consumer of the process through addProcessHooks, until removed (postbox/testing's outcome log)", async () => {
    const after: string[] = [];
    const remove = addProcessHooks({ after: ({ message }) => after.push(message.messageId) });
    const { handler } = accountingHandler();
    await handler({ Records: [record('m-1')] }, context);
    remove();
    await handler({ Records: [record('m-2')] }, context);
    expect(after).toEqual(['m-1']);
  });
});

describe('the handler createSqsHandler returns', () => {
  it('takes middy middleware with .use(), typed for an SQS event and a partial batch response', async () => {
    const seen: number[] = [];
    const { handler } = accountingHandler();
    const withMiddleware = handler.use({ before: (request) => void seen.push(request.event.Records.length) });
    expectTypeOf(handler).toEqualTypeOf<SqsHandler>();
    // request.event is typed: `Records` above compiles only on an SQS event.
    expect(await withMiddleware({ Records: [record('m-1'), record('m-2')] }, context)).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([2]);
  });
});
