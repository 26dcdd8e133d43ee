import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { sendDeadLetterSource } from '../../operations/send-dead-letter-source.ts';
import { formatTable } from '../table-format.ts';
import { withMaxOption } from './dead-letter-options.ts';
import { withSendDeadLetterOptions, type SendDeadLetterOptions } from './outbox-options.ts';

export function registerOutboxShow(outbox: Command, context: () => Promise<CliContext>): void {
  withMaxOption(withSendDeadLetterOptions(outbox.command('show').description('list the send dead-letter: messages the relay or a publisher could not send, with why')), 1000, 'list at most this many').action(
    async (options: SendDeadLetterOptions & { max: number }) => {
      const ctx = await context();
      const { deadLetter, where } = sendDeadLetterSource(ctx.topology, ctx.dynamodb, options);
      const records = await deadLetter.deadLetters({ ...(options.id && { ids: options.id }), max: options.max });
      ctx.print({ where, shown: records.length, deadLetters: records }, () => {
        if (records.length === 0) return `no send dead-letters in ${where}${options.id ? ' with those ids' : ''}`;
        return [
          formatTable(
            ['id', 'type', 'to', 'attempts', 'failed', 'reason'],
            records.map((record) => [record.id, record.type, `${record.destination.kind} ${record.destination.name}`, String(record.attempts), record.failedAt ?? '-', record.reason ?? '-']),
          ),
          `${records.length} send dead-letter(s) in ${where}${records.length >= options.max ? `; stopped at --max ${options.max}, there may be more` : ''}; send them again with postbox outbox replay`,
        ].join('\n');
      });
      const missing = (options.id ?? []).filter((id) => !records.some((record) => record.id === id));
      if (missing.length > 0) throw new CliError(`${missing.length} id(s) are not in ${where}: ${missing.join(', ')}; outbox show without --id lists what it holds`, ExitCode.notFound);
    },
  );
}
