import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { browse, describeDeadLetter, matches, parseDuration, release, type DeadLetterFilter } from '../dead-letter-browser.ts';
import { formatTable } from '../table-format.ts';

export interface FilterOptions {
  readonly id?: string[];
  readonly type?: string;
  readonly grep?: string;
  readonly olderThan?: string;
  readonly max: string;
}

/** Adds the options that pick dead letters. */
export function withFilterOptions(command: Command): Command {
  return command
    .option('--id <ids...>', 'only these message ids')
    .option('--type <type>', 'only messages of this type')
    .option('--grep <text>', 'only messages whose body or failure reason contains this text')
    .option('--older-than <duration>', 'only messages that failed at least this long ago (90s, 15m, 2h, 7d)')
    .option('--max <n>', 'look at most at this many messages', '1000');
}

export function toFilter(options: FilterOptions): DeadLetterFilter {
  return {
    ...(options.id && { ids: options.id }),
    ...(options.type && { type: options.type }),
    ...(options.grep && { text: options.grep }),
    ...(options.olderThan && { olderThanMs: parseDuration(options.olderThan) }),
  };
}

export function registerDlqShow(dlq: Command, context: () => Promise<CliContext>): void {
  withFilterOptions(dlq.command('show <queue>').description('list dead-lettered messages; they return to the DLQ at once')).action(
    async (queueName: string, options: FilterOptions) => {
      const ctx = await context();
      const { deadLetterUrl } = await ctx.address(queueName);
      const messages = await browse(ctx.sqs, deadLetterUrl, Number(options.max));
      await release(ctx.sqs, deadLetterUrl, messages);
      const filter = toFilter(options);
      const shown = messages.map(describeDeadLetter).filter((deadLetter) => matches(deadLetter, filter));
      ctx.print(shown, () =>
        shown.length === 0
          ? `no dead letters in ${ctx.queue(queueName).deadLetterQueueName}${messages.length > 0 ? ' match the filter' : ''}`
          : formatTable(
              ['id', 'type', 'published', 'failed', 'attempts', 'reason', 'body'],
              shown.map((d) => [
                d.messageId,
                d.type ?? '-',
                d.publishedAt ?? '-',
                d.failedAt ?? '-',
                d.attempts === undefined ? '-' : String(d.attempts),
                d.errorCode ? `${d.errorCode}: ${d.errorMessage ?? ''}` : '(not recorded: moved by the redrive policy)',
                d.excerpt,
              ]),
            ),
      );
    },
  );
}
