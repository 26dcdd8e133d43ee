import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { QueueDirectory } from './queue-directory.ts';

/** How full one queue and its DLQ are. */
export interface QueueStatus {
  readonly queue: string;
  readonly name: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly deadLetters: number;
  /** Age of the oldest message in seconds, from CloudWatch; null where CloudWatch has no figure (the emulator). */
  readonly oldestAgeSeconds: number | null;
}

/** Every queue of the topology: waiting, in flight, delayed, dead letters, and the oldest age where CloudWatch has it. */
export async function queueStatuses(directory: QueueDirectory, cloudwatch: CloudWatchClient): Promise<QueueStatus[]> {
  const addresses = await Promise.all(directory.topology.queues.map((queue) => directory.address(queue.id)));
  const ages = await oldestAges(cloudwatch, directory.topology.queues.map((queue) => queue.name));
  return Promise.all(
    addresses.map(async ({ queue, url, deadLetterUrl }) => {
      const [main, dlq] = await Promise.all(
        [url, deadLetterUrl].map(async (QueueUrl) => {
          const { Attributes = {} } = await directory.sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
            }),
          );
          return Attributes;
        }),
      );
      return {
        queue: queue.id,
        name: queue.name,
        visible: Number(main!.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(main!.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(main!.ApproximateNumberOfMessagesDelayed ?? 0),
        deadLetters: Number(dlq!.ApproximateNumberOfMessages ?? 0) + Number(dlq!.ApproximateNumberOfMessagesNotVisible ?? 0),
        oldestAgeSeconds: ages.get(queue.name) ?? null,
      };
    }),
  );
}

/** SQS's attributes have no age; CloudWatch's ApproximateAgeOfOldestMessage has, where it is published. */
async function oldestAges(cloudwatch: CloudWatchClient, queueNames: readonly string[]): Promise<Map<string, number>> {
  const ages = new Map<string, number>();
  try {
    const end = new Date();
    const { MetricDataResults = [] } = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 10 * 60_000),
        EndTime: end,
        MetricDataQueries: queueNames.map((name, index) => ({
          Id: `q${index}`,
          MetricStat: {
            Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: name }] },
            Period: 60,
            Stat: 'Maximum',
          },
        })),
      }),
    );
    for (const result of MetricDataResults) {
      const value = result.Values?.[0];
      if (value !== undefined) ages.set(queueNames[Number(result.Id!.slice(1))]!, Math.round(value));
    }
  } catch {
    // No CloudWatch figure (an emulator without it, or no permission): the column shows '-'.
  }
  return ages;
}
