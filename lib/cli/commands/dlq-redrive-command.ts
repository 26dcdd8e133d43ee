import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { MoveTaskUnsupportedError, redriveClientSide, redriveWithMoveTask, type Progress, type RedriveSummary } from '../dead-letter-redrive.ts';
import { toFilter, withFilterOptions, type FilterOptions } from './dlq-show-command.ts';

interface RedriveOptions extends FilterOptions {
  readonly dryRun?: boolean;
  readonly rate?: string;
  readonly clientSide?: boolean;
}

export function registerDlqRedrive(dlq: Command, context: () => Promise<CliContext>): void {
  withFilterOptions(
    dlq
      .command('redrive <queue>')
      .description('move dead letters back to their source queue: all with SQS move tasks, or the selected ones one by one')
      .option('--dry-run', 'say what would move, move nothing')
      .option('--rate <n>', 'most messages per second (move task)')
      .option('--client-side', 'move one by one even when the server has move tasks'),
  ).action(async (queueName: string, options: RedriveOptions) => {
    const ctx = await context();
    const address = await ctx.address(queueName);
    const filter = toFilter(options);
    const selective = Object.keys(filter).length > 0;
    const onProgress = progressBar(ctx);
    let summary: RedriveSummary;
    if (!selective && !options.dryRun && !options.clientSide && !address.queue.fifo) {
      const abort = new AbortController();
      const onInterrupt = () => {
        ctx.io.err('cancelling the move task; what it moved stays moved');
        abort.abort();
      };
      process.once('SIGINT', onInterrupt);
      try {
        summary = await redriveWithMoveTask(ctx.sqs, address, {
          ...(options.rate !== undefined && { rate: Number(options.rate) }),
          onProgress,
          signal: abort.signal,
        });
      } catch (error) {
        if (!(error instanceof MoveTaskUnsupportedError)) throw error;
        ctx.io.err(`${ctx.where()} has no StartMessageMoveTask; moving the messages one by one instead`);
        summary = await redriveClientSide(ctx.sqs, address, filter, { max: Number(options.max), onProgress });
      } finally {
        process.removeListener('SIGINT', onInterrupt);
      }
    } else {
      summary = await redriveClientSide(ctx.sqs, address, filter, { max: Number(options.max), onProgress, ...(options.dryRun && { dryRun: true }) });
    }
    ctx.print(summary, () =>
      options.dryRun
        ? `dry run: would move ${summary.movedIds.length} message(s) from ${address.queue.deadLetterQueueName} to ${address.queue.name}` +
          `${summary.movedIds.length > 0 ? `: ${summary.movedIds.join(', ')}` : ''}; ${summary.skipped} not selected`
        : `moved ${summary.moved}, failed ${summary.failed}, skipped ${summary.skipped} (${summary.method}) from ${address.queue.deadLetterQueueName} to ${address.queue.name}` +
          summary.failures.map((failure) => `\n  failed ${failure.messageId}: ${failure.reason}`).join(''),
    );
    if (summary.failed > 0) throw new CliError(`${summary.failed} message(s) were not moved; they are still in the DLQ`, ExitCode.partialFailure);
  });
}

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
function progressBar(ctx: CliContext): Progress | undefined {
  if (!ctx.io.interactive || ctx.options.json) return undefined;
  return (done, total) => {
    const width = 30;
    const filled = total ? Math.round((done / Math.max(total, 1)) * width) : 0;
    process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}${total === undefined ? '' : `/${total}`} moved`);
    if (total !== undefined && done >= total) process.stderr.write('\n');
  };
}
