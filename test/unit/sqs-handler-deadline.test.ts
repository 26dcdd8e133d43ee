import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { sqsRecord } from '../helpers/sqs-records.ts';

/*
 * The Lambda handler near its timeout. Records that finish or are still
 * running need no SQS call, so no client is reached here.
 */

/** A context whose function times out in `remainingMs`. */
const contextWith = (remainingMs: number) => {
  const end = Date.now() + remainingMs;
  return { awsRequestId: 'req-1', functionName: 'f', getRemainingTimeInMillis: () => end - Date.now() } as unknown as Context;
};

const untilAborted = (signal: AbortSignal | undefined) => new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
const logs: string[] = [];
const quiet = { stage: 'dev', logger: createLogger({}, { write: (line) => logs.push(line) }), writeMetrics: () => undefined };

describe('createSqsHandler near the function timeout', () => {
  it('reports only the records still running as failed, and aborts their signal', async () => {
    let aborted = false;
    const handler = createSqsHandler(paymentsTopology, {
      ...quiet,
      queue: 'accounting',
      handlers: {
        'payment.received': async ({ data }, { signal }) => {
          if (data.paymentId !== 'slow') return;
          await untilAborted(signal);
          aborted = true;
        },
        'payment.refunded': () => undefined,
      },
    });
    const event: SQSEvent = {
      Records: [
        sqsRecord('m-1', 'payment.received', { paymentId: 'quick', amountCents: 1 }),
        sqsRecord('m-2', 'payment.received', { paymentId: 'slow', amountCents: 1 }),
        sqsRecord('m-3', 'payment.refunded', { paymentId: 'quick', amountCents: 1 }),
      ],
    };
    const started = Date.now();
    const response = await handler(event, contextWith(800));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(Date.now() - started).toBeLessThan(800);
    expect(aborted).toBe(true);
    expect(logs.map((line) => JSON.parse(line).message)).toContain(
      'the batch ran out of time; records still running are reported failed and return to the queue',
    );
  });

  it('on a FIFO queue, processes nothing after the record that ran out of time, and reports it and the rest failed', async () => {
    const handled: string[] = [];
    const handler = createSqsHandler(paymentsTopology, {
      ...quiet,
      queue: 'audit',
      handlers: {
        'ledger.entry': async ({ data }, { signal }) => {
          handled.push(`${data.account}#${data.sequence}`);
          if (data.sequence === 2) await untilAborted(signal);
        },
      },
    });
    const event: SQSEvent = {
      Records: [
        sqsRecord('m-1', 'ledger.entry', { account: 'a', sequence: 1 }, 'a'),
        sqsRecord('m-2', 'ledger.entry', { account: 'a', sequence: 2 }, 'a'),
        sqsRecord('m-3', 'ledger.entry', { account: 'b', sequence: 3 }, 'b'),
      ],
    };
    const response = await handler(event, contextWith(700));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }] });
    expect(handled).toEqual(['a#1', 'a#2']);
  });

  it('waits for every record when the context gives no remaining time', async () => {
    const handler = createSqsHandler(paymentsTopology, {
      ...quiet,
      queue: 'accounting',
      handlers: { 'payment.received': () => new Promise((resolve) => setTimeout(resolve, 50)), 'payment.refunded': () => undefined },
    });
    const response = await handler({ Records: [sqsRecord('m-1', 'payment.received', { paymentId: 'p', amountCents: 1 })] }, {} as Context);
    expect(response).toEqual({ batchItemFailures: [] });
  });
});
