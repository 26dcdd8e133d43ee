import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { Option, type Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { integerOption } from '../cli-option-parsers.ts';
import { formatTable } from '../table-format.ts';

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

export function registerStatus(program: Command, context: () => Promise<CliContext>): void {
  program
    .command('status')
    .description('one table of every queue: visible, in flight, delayed, DLQ depth, age of the oldest message')
    .addOption(
      new Option('--watch [seconds]', 'refresh every this many seconds (1-3600) until Ctrl-C').preset(5).argParser(integerOption({ min: 1, max: 3600, unit: 'seconds' })),
    )
    .action(async (options: { watch?: number }) => {
      const ctx = await context();
      const show = async () => {
        const rows = await queueStatuses(ctx);
        ctx.print(rows, () =>
          formatTable(
            ['queue', 'visible', 'in flight', 'delayed', 'DLQ', 'oldest'],
            rows.map((row) => [row.queue, String(row.visible), String(row.inFlight), String(row.delayed), String(row.deadLetters), row.oldestAgeSeconds === null ? '-' : `${row.oldestAgeSeconds}s`]),
            (index) => rows[index]!.deadLetters > 0,
          ),
        );
      };
      await show();
      if (options.watch === undefined) return;
      const seconds = options.watch;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
        ctx.io.out(`\n${new Date().toISOString()}`);
        await show();
      }
    });
}

export async function queueStatuses(ctx: CliContext): Promise<QueueStatus[]> {
  const addresses = await Promise.all(ctx.topology.queues.map((queue) => ctx.address(queue.id)));
  const ages = await oldestAges(ctx, ctx.topology.queues.map((queue) => queue.name));
  return Promise.all(
    addresses.map(async ({ queue, url, deadLetterUrl }) => {
      const [main, dlq] = await Promise.all(
        [url, deadLetterUrl].map(async (QueueUrl) => {
          const { Attributes = {} } = await ctx.sqs.send(
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
async function oldestAges(ctx: CliContext, queueNames: readonly string[]): Promise<Map<string, number>> {
  const ages = new Map<string, number>();
  try {
    const end = new Date();
    const { MetricDataResults = [] } = await ctx.cloudwatch.send(
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
