import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { sqsRecord } from '../helpers/sqs-records.ts';

/*
 * Lambda Managed Instances run several invocations at once in one execution environment, through one handler
 * made at module load. Here two invocations of one handler overlap: their records' handlers interleave, one
 * runs out of time while the other goes on. Records that finish or are still running need no SQS call.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const untilAborted = (signal: AbortSignal | undefined) => new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));

/** A context whose function times out in `remainingMs`. */
const contextOf = (awsRequestId: string, remainingMs: number) => {
  const end = Date.now() + remainingMs;
  return { awsRequestId, functionName: 'f', getRemainingTimeInMillis: () => end - Date.now() } as unknown as Context;
};

const records = (prefix: string, delays: number[]): SQSEvent => ({
  Records: delays.map((delay, i) => sqsRecord(`${prefix}-${i}`, 'payment.received', { paymentId: `${prefix}-${i}`, amountCents: delay })),
});

describe('createSqsHandler with invocations running at once (Lambda Managed Instances)', () => {
  it("keeps each invocation's outcomes, log lines and metrics apart", async () => {
    const logs: Array<Record<string, unknown>> = [];
    const metricLines: Array<Record<string, unknown>> = [];
    const handler = createSqsHandler(paymentsTopology, {
      stage: 'dev',
      queue: 'accounting',
      logger: createLogger({}, { write: (line) => logs.push(JSON.parse(line)) }),
      writeMetrics: (line) => metricLines.push(JSON.parse(line)),
      handlers: {
        'payment.received': async ({ data }, { logger, signal }) => {
          // 999 cents: a record that runs until its invocation gives up on it.
          if (data.amountCents === 999) return untilAborted(signal);
          await sleep(data.amountCents);
          logger.info('handled', { paymentId: data.paymentId, aborted: signal?.aborted });
        },
        'payment.refunded': () => undefined,
      },
    });

    // `long` outlives `short`'s deadline (700 ms remaining, less the 500 ms kept to answer) and keeps running after it.
    const [long, short] = await Promise.all([
      handler(records('long', [30, 120, 260, 400]), contextOf('req-long', 30_000)),
      (async () => {
        await sleep(10);
        return handler(records('short', [20, 999, 60]), contextOf('req-short', 700));
      })(),
    ]);

    expect(long).toEqual({ batchItemFailures: [] });
    expect(short).toEqual({ batchItemFailures: [{ itemIdentifier: 'short-1' }] });

    const handled = logs.filter((line) => line.message === 'handled');
    expect(handled.map((line) => line.paymentId).sort()).toEqual(['long-0', 'long-1', 'long-2', 'long-3', 'short-0', 'short-2']);
    for (const line of handled) {
      expect(line.requestId).toBe(String(line.paymentId).startsWith('long') ? 'req-long' : 'req-short');
      expect(line.aborted).toBe(false);
    }
    const outOfTime = logs.filter((line) => String(line.message).startsWith('the batch ran out of time'));
    expect(outOfTime.map((line) => line.requestId)).toEqual(['req-short']);

    // Each invocation's EMF documents count its own records; the record still running is written when it ends.
    await sleep(20);
    const processedBy = (requestId: string) => metricLines.filter((line) => line.requestId === requestId).map((line) => line.Processed);
    expect(processedBy('req-long')).toEqual([4]);
    expect(processedBy('req-short')).toEqual([2, 1]);
    expect(metricLines).toHaveLength(3);
  });
});
