import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/aws/aws-clients.ts';
import { SeriesStore } from '../../lib/local/series-store.ts';
import { startConsoleServer } from '../../lib/local/console-server.ts';
import { QueueDirectory } from '../../lib/operations/queue-directory.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { elasticMqServer, queueWithDeadLetterQueue } from '../helpers/cli-fixtures.ts';
import { uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

describe('the console redrives with the same strategy as the CLI', () => {
  const elasticmq = elasticMqServer();

  it('moves a whole standard DLQ with a move task where the server has them (ElasticMQ)', async () => {
    const stage = uniqueStage();
    const { sqs } = createAwsClients({ endpoint: elasticmq.endpoint, region: 'us-east-1' });
    const topology = resolveTopology(paymentsTopology, { stage });
    const { url, deadLetterUrl } = await queueWithDeadLetterQueue(sqs, topology.queues.find((queue) => queue.id === 'report-build')!);
    for (const month of ['2026-09', '2026-10']) await sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: JSON.stringify({ month }) }));
    const server = await startConsoleServer(new QueueDirectory(topology, sqs, elasticmq.endpoint), new CloudWatchClient({ endpoint: elasticmq.endpoint }), 0, {
      rates: () => ({}),
      snapshot: () => new SeriesStore(60_000, 2_000).snapshot(),
    });
    try {
      const page = new URL(server.url);
      const answer = await fetch(new URL('/api/dlq/report-build/redrive', page), {
        method: 'POST',
        headers: { 'x-postbox-token': page.searchParams.get('token')!, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(await answer.json()).toMatchObject({ method: 'move-task', moved: 2, failed: 0, incomplete: false });
      expect(await receiveAvailable(sqs, url, { expected: 2 })).toHaveLength(2);
    } finally {
      await server.close();
    }
  }, 60_000);
});
