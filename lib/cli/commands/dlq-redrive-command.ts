import { Option, type Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { integerOption } from '../cli-option-parsers.ts';
import type { Progress } from '../../operations/dead-letter-redrive.ts';
import { InvalidRedriveRequestError, redriveDeadLetters, triesMoveTask, type RedriveRequest, type RedriveResult } from '../../operations/redrive-dead-letters.ts';
import { toFilter, withFilterOptions, type FilterOptions } from './dead-letter-options.ts';

interface RedriveOptions extends FilterOptions {
  readonly dryRun?: boolean;
  readonly rate?: number;
  readonly clientSide?: boolean;
}

export function registerDlqRedrive(dlq: Command, context: () => Promise<CliContext>): void {
  withFilterOptions(
    dlq
      .command('redrive <queue>')
      .description('move dead letters back to their source queue: all with SQS move tasks, or the selected ones one by one')
      .option('--dry-run', 'say what would move, move nothing')
      .addOption(
        new Option('--rate <n>', 'most messages per second, 1-500 (move task: a whole standard DLQ)')
          .argParser(integerOption({ min: 1, max: 500, unit: 'messages per second' }))
          .conflicts(['dryRun', 'clientSide', 'id', 'type', 'grep', 'olderThan', 'max']),
      )
      .option('--client-side', 'move one by one even when the server has move tasks'),
  ).action(async (queueName: string, options: RedriveOptions, command: Command) => {
    const ctx = await context();
    const address = await ctx.directory.address(queueName);
    const abort = new AbortController();
    const onProgress = progressBar(ctx);
    const request: RedriveRequest = {
      filter: toFilter(options),
      max: options.max,
      // An explicit --max bounds the run, which a move task cannot: such a run moves one by one.
      bounded: command.getOptionValueSource('max') !== 'default',
      ...(options.dryRun && { dryRun: true }),
      ...(options.clientSide && { clientSide: true }),
      ...(options.rate !== undefined && { rate: options.rate }),
      ...(onProgress && { onProgress }),
      signal: abort.signal,
      onFallback: () => ctx.io.err(`${ctx.where()} has no StartMessageMoveTask; moving the messages one by one instead${options.rate !== undefined ? ', without --rate' : ''}`),
    };
    // Ctrl-C cancels a move task (what it moved stays moved); a run one by one stops as any command does.
    const onInterrupt = () => {
      ctx.io.err('cancelling the move task; what it moved stays moved');
      abort.abort();
    };
    if (triesMoveTask(address, request)) process.once('SIGINT', onInterrupt);
    let summary: RedriveResult;
    try {
      summary = await redriveDeadLetters(ctx.sqs, address, request);
    } catch (error) {
      if (error instanceof InvalidRedriveRequestError) throw new CliError(error.message, ExitCode.invalidInput);
      throw error;
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
    const { incomplete } = summary;
    const from = address.queue.deadLetterQueueName;
    ctx.print(summary, () =>
      [
        options.dryRun
          ? `dry run: would move ${summary.movedIds.length} message(s) from ${from} to ${address.queue.name}` +
            `${summary.movedIds.length > 0 ? `: ${summary.movedIds.join(', ')}` : ''}; ${summary.skipped} not selected`
          : `moved ${summary.moved}, failed ${summary.failed}, skipped ${summary.skipped} (${summary.method}) from ${from} to ${address.queue.name}`,
        ...summary.failures.map((failure) => `  failed ${failure.messageId}: ${failure.reason}`),
        ...(summary.duplicates > 0
          ? [`${summary.duplicates} duplicate cop${summary.duplicates === 1 ? 'y' : 'ies'} of messages already moved in this run ${options.dryRun ? 'would be' : 'were'} deleted, not moved`]
          : []),
        ...(summary.returned > 0
          ? [`${summary.returned} message(s) moved in this run failed again and are back in ${from}; left there for the next run`]
          : []),
        ...(summary.notFound.length > 0 ? [`not found in ${from}: ${summary.notFound.join(', ')}`] : []),
        ...(summary.maxReached ? [`stopped at --max ${options.max}; ${from} may hold more`] : []),
        ...(summary.left > 0 && !options.dryRun ? [`${summary.left} message(s) left in ${from}`] : []),
      ].join('\n'),
    );
    if (summary.failed > 0) throw new CliError(`${summary.failed} message(s) were not moved; they are still in the DLQ`, ExitCode.partialFailure);
    if (summary.notFound.length > 0) throw new CliError(`${summary.notFound.length} message id(s) were not found in ${from}; dlq show lists what it holds`, ExitCode.partialFailure);
    if (incomplete) {
      throw new CliError(`${summary.left} message(s) are still in ${from} (in flight with another reader, or arrived during the run); run the redrive again`, ExitCode.partialFailure);
    }
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
