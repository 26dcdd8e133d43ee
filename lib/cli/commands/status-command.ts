import { Option, type Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { integerOption } from '../cli-option-parsers.ts';
import { queueStatuses } from '../../operations/queue-status.ts';
import { formatTable } from '../table-format.ts';

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
        const rows = await queueStatuses(ctx.directory, ctx.cloudwatch);
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
