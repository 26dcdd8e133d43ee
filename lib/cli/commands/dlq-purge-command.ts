import { GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';

export function registerDlqPurge(dlq: Command, context: () => Promise<CliContext>): void {
  dlq
    .command('purge <queue>')
    .description('delete every message of the DLQ for good (export them first if in doubt)')
    .option('--yes', 'do not ask for confirmation')
    .action(async (queueName: string, options: { yes?: boolean }) => {
      const ctx = await context();
      const { deadLetterUrl, queue } = await ctx.directory.address(queueName);
      const { Attributes = {} } = await ctx.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      const count = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
      if (!options.yes) {
        if (!ctx.io.confirm) {
          throw new CliError(`refusing to purge ${queue.deadLetterQueueName} without confirmation; pass --yes when not at a terminal`, ExitCode.invalidInput);
        }
        if (!(await ctx.io.confirm(`Delete all ${count} message(s) of ${queue.deadLetterQueueName} for good? [y/N] `))) {
          throw new CliError(`purge of ${queue.deadLetterQueueName} cancelled; nothing was deleted`, ExitCode.invalidInput);
        }
      }
      await ctx.sqs.send(new PurgeQueueCommand({ QueueUrl: deadLetterUrl }));
      ctx.print({ purged: queue.deadLetterQueueName, messages: count }, () => `purged ${queue.deadLetterQueueName} (about ${count} message(s))`);
    });
}
