import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { QueueRuntime } from '../../lib/runtime/consuming/queue-runtime.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const HOUR = 3_600_000;

/** A client that records the visibility each ChangeMessageVisibility asks for (no emulator enforces the 12 h limit). */
function recordingRuntime() {
  const visibilities: number[] = [];
  const sqs = { send: async (command: { input: { VisibilityTimeout?: number } }) => void visibilities.push(command.input.VisibilityTimeout!) } as unknown as SQSClient;
  const runtime = new QueueRuntime(paymentsTopology, {
    stage: 'dev',
    queue: 'archive',
    handlers: { 'payment.received': () => undefined },
    sqs,
    queueUrl: 'http://queue',
    logger: createLogger({}, { write: () => undefined }),
    writeMetrics: () => undefined,
  });
  return { runtime, visibilities };
}

const message = (receivedAt: number) => ({ messageId: 'm', receiptHandle: 'r', body: '{}', attributes: {}, receiveCount: 2, receivedAt });

describe('visibility changes within the 12 h SQS allows from the receipt', () => {
  it('cuts a backoff to what is left of the 12 hours', async () => {
    const { runtime, visibilities } = recordingRuntime();
    await runtime.delay(message(Date.now() - 11.9 * HOUR), 900);
    await runtime.delay(message(Date.now() - HOUR), 900);
    expect(visibilities[0]).toBeGreaterThan(350);
    expect(visibilities[0]).toBeLessThanOrEqual(360);
    expect(visibilities[1]).toBe(900);
  });
});
