import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { redriveWithMoveTask } from '../../lib/operations/dead-letter-redrive.ts';
import { createAwsClients } from '../../lib/aws/aws-clients.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { elasticMqServer, queueWithDeadLetterQueue } from '../helpers/cli-fixtures.ts';
import { uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

describe('a move-task redrive against a consumer that keeps failing what was moved (ElasticMQ)', () => {
  const elasticmq = elasticMqServer();

  it('ends once it moved what the DLQ held at its start, and reports what came back as returned', async () => {
    const stage = uniqueStage();
    const sqs = createAwsClients({ endpoint: elasticmq.endpoint, region: 'us-east-1' }).sqs;
    const queue = resolveTopology(paymentsTopology, { stage }).queues.find((q) => q.id === 'report-build')!;
    const address = await queueWithDeadLetterQueue(sqs, queue);
    for (const month of ['2026-09', '2026-10', '2026-11']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: address.deadLetterUrl, MessageBody: JSON.stringify({ month }) }));
    }
    // The consumer: every message it gets fails again and goes back to the DLQ.
    let consuming = true;
    let failedAgain = 0;
    const consumer = (async () => {
      while (consuming) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: address.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        for (const message of Messages) {
          await sqs.send(new SendMessageCommand({ QueueUrl: address.deadLetterUrl, MessageBody: message.Body! }));
          await sqs.send(new DeleteMessageCommand({ QueueUrl: address.url, ReceiptHandle: message.ReceiptHandle! }));
          failedAgain++;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = Date.now();
    const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000));
    try {
      const summary = await Promise.race([redriveWithMoveTask(sqs, address, { rate: 1, pollMs: 200 }), timeout]);
      expect(summary).not.toBe('still running');
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(summary).toMatchObject({ method: 'move-task', heldAtStart: 3, moved: 3, failed: 0 });
      const { returned, left } = summary as { returned: number; left: number };
      expect(returned).toBeGreaterThan(0);
      expect(left).toBe(returned);
    } finally {
      consuming = false;
      await consumer;
    }
    expect(failedAgain).toBeGreaterThan(0);
  }, 60_000);
});
