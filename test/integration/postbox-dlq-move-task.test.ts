import { ListMessageMoveTasksCommand, SendMessageCommand, StartMessageMoveTaskCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { redriveWithMoveTask } from '../../lib/operations/dead-letter-redrive.ts';
import { createAwsClients } from '../../lib/aws/aws-clients.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { elasticMqServer, queueWithDeadLetterQueue } from '../helpers/cli-fixtures.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

describe('postbox dlq redrive with StartMessageMoveTask (ElasticMQ, which implements it)', () => {
  const elasticmq = elasticMqServer();

  it('moves every message with a move task and reports it', async () => {
    const stage = uniqueStage();
    const sqs = createAwsClients({ endpoint: elasticmq.endpoint, region: 'us-east-1' }).sqs;
    const queue = resolveTopology(paymentsTopology, { stage }).queues.find((q) => q.id === 'report-build')!;
    const { url, deadLetterUrl: dlqUrl } = await queueWithDeadLetterQueue(sqs, queue);
    for (const month of ['2026-09', '2026-10', '2026-11']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify({ month }) }));
    }
    const result = await postbox(stage, ['--json', 'dlq', 'redrive', 'report-build', '--rate', '50'], { endpoint: elasticmq.endpoint });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ method: 'move-task', status: 'COMPLETED', moved: 3, failed: 0 });
    const back = await receiveAvailable(sqs, url, { expected: 3 });
    expect(back.map((message) => JSON.parse(message.Body!).month).sort()).toEqual(['2026-09', '2026-10', '2026-11']);
  }, 60_000);

  it("follows only the move task it started, not an earlier task of the same DLQ", async () => {
    const stage = uniqueStage();
    const sqs = createAwsClients({ endpoint: elasticmq.endpoint, region: 'us-east-1' }).sqs;
    const queue = resolveTopology(paymentsTopology, { stage }).queues.find((q) => q.id === 'report-build')!;
    const address = await queueWithDeadLetterQueue(sqs, queue);
    const { deadLetterUrl } = address;
    const fill = async (count: number) => {
      for (let i = 0; i < count; i++) await sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: `m-${i}` }));
    };
    await fill(3);
    expect(await redriveWithMoveTask(sqs, address, { pollMs: 50 })).toMatchObject({ status: 'COMPLETED', moved: 3 });
    await fill(2);
    // AWS may list a new task late: the first listing shows only the earlier, completed one.
    let started: string | undefined;
    let listings = 0;
    const lagging = {
      send: async (command: unknown) => {
        const result = await sqs.send(command as never);
        if (command instanceof StartMessageMoveTaskCommand) started = (result as { TaskHandle?: string }).TaskHandle;
        if (command instanceof ListMessageMoveTasksCommand && listings++ === 0) {
          const { Results = [] } = result as { Results?: Array<{ TaskHandle?: string }> };
          return { ...(result as object), Results: Results.filter((task) => task.TaskHandle !== started) };
        }
        return result;
      },
    } as unknown as SQSClient;
    expect(await redriveWithMoveTask(lagging, address, { pollMs: 50 })).toMatchObject({ status: 'COMPLETED', moved: 2 });
  }, 60_000);
});
