import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import type { MessageHooks } from '../../lib/runtime/consuming/message-hooks.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { sqsRecord } from '../helpers/sqs-records.ts';

/*
 * A batch of synchronous handlers reads the clock once a record: each record starts when the one before it ended.
 * The Duration metric must still be each record's own time, not its predecessor's, nor a hook's.
 */

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** The Duration values of one batch whose records' handlers keep busy for the given milliseconds (`amountCents`, at least 1). */
async function durations(busyMs: number[], hooks: readonly MessageHooks[] = []): Promise<number[]> {
  const lines: Array<{ Duration: number[] }> = [];
  const handler = createSqsHandler(paymentsTopology, {
    stage: 'dev',
    queue: 'accounting',
    logger: createLogger({}, { write: () => undefined }),
    writeMetrics: (line) => lines.push(JSON.parse(line)),
    hooks,
    handlers: { 'payment.received': ({ data }) => busy(data.amountCents), 'payment.refunded': () => undefined },
  });
  const event: SQSEvent = { Records: busyMs.map((ms, i) => sqsRecord(`m-${i}`, 'payment.received', { paymentId: `p-${i}`, amountCents: ms })) };
  expect(await handler(event, { awsRequestId: 'req-1' } as Context)).toEqual({ batchItemFailures: [] });
  expect(lines).toHaveLength(1);
  return lines[0]!.Duration;
}

describe('createSqsHandler timing the records of a batch', () => {
  it("gives each record its own duration, none of the record's before it", async () => {
    const [slow, quick, medium] = await durations([60, 1, 20]);
    expect(slow).toBeGreaterThanOrEqual(60);
    expect(quick).toBeLessThan(30);
    expect(medium).toBeGreaterThanOrEqual(20);
    expect(medium).toBeLessThan(60);
  });

  it("leaves a hook's time out of the next record's duration", async () => {
    const slowAfter: MessageHooks = { after: () => busy(60) };
    const [first, second] = await durations([1, 1], [slowAfter]);
    expect(first).toBeLessThan(30);
    expect(second).toBeLessThan(30);
  });
});
