import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { replaySendDeadLetters } from '../../operations/send-dead-letter-replay.ts';
import { sendDeadLetterSource } from '../../operations/send-dead-letter-source.ts';
import { OutboxRelay } from '../../runtime/publishing/outbox/outbox-relay.ts';
import { withSendDeadLetterOptions, type SendDeadLetterOptions } from './outbox-options.ts';

export function registerOutboxReplay(outbox: Command, context: () => Promise<CliContext>, exitWith: (code: number) => void): void {
  withSendDeadLetterOptions(outbox.command('replay').description('send the send dead-letter again (all of it, or --id); what fails again stays, with its new reason')).action(
    async (options: SendDeadLetterOptions) => {
      const ctx = await context();
      const { deadLetter, where } = sendDeadLetterSource(ctx.topology, ctx.dynamodb, options);
      const relay = new OutboxRelay({ sns: ctx.clients.sns, sqs: ctx.clients.sqs, store: deadLetter, ...(ctx.options.region && { region: ctx.options.region }) });
      const report = await replaySendDeadLetters(deadLetter, relay, options.id);
      if (report.missing.length > 0) {
        throw new CliError(`no send dead-letter with id ${report.missing.join(', ')} in ${where}; nothing was replayed (see postbox outbox show)`, ExitCode.notFound);
      }
      const summary = { where, sent: report.sent.length, deadLettered: report.deadLettered.length, unsettled: report.unsettled.length };
      ctx.print({ ...summary, failures: report.deadLettered.map(({ id, reason }) => ({ id, reason })), problems: report.problems }, () =>
        [
          `replayed from ${where}: sent ${summary.sent}, failed again ${summary.deadLettered}${summary.unsettled > 0 ? `, not settled ${summary.unsettled} (may have been sent; replay again)` : ''}`,
          ...report.deadLettered.map((record) => `  ${record.id}: ${record.reason}`),
          ...report.problems.map((problem) => `  ${problem}`),
        ].join('\n'),
      );
      if (summary.deadLettered + summary.unsettled > 0) exitWith(ExitCode.partialFailure);
    },
  );
}
