import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { queueCounts, QueueListing } from '../../operations/queue-listing.ts';
import { MAX_LISTED, withMaxOption } from './dead-letter-options.ts';

export function registerDlqExport(dlq: Command, context: () => Promise<CliContext>): void {
  withMaxOption(
    dlq
      .command('export <queue>')
      .description('save every dead-lettered message (body, attributes) as JSON lines, each once; they stay in the DLQ')
      .requiredOption('--out <file>', 'the .jsonl file to write'),
    MAX_LISTED,
    'at most this many messages',
  ).action(async (queueName: string, options: { out: string; max: number }) => {
    const ctx = await context();
    const { deadLetterUrl } = await ctx.directory.address(queueName);
    const { inFlight } = await queueCounts(ctx.sqs, deadLetterUrl);
    const file = createWriteStream(options.out);
    const opened = once(file, 'open').catch((error: Error) => {
      throw new CliError(`cannot write ${options.out}: ${error.message}`, ExitCode.invalidInput);
    });
    await opened;
    const listing = new QueueListing(ctx.sqs, deadLetterUrl, { max: options.max });
    let exported = 0;
    try {
      // Each line is written as it is received: memory holds receipt handles, not bodies.
      for await (const message of listing.messages()) {
        const line = JSON.stringify({ messageId: message.MessageId, body: message.Body, messageAttributes: message.MessageAttributes ?? {}, attributes: message.Attributes ?? {} });
        if (!file.write(`${line}\n`)) await once(file, 'drain');
        exported++;
      }
      file.end();
      await once(file, 'finish');
    } finally {
      file.destroy();
      await listing.close();
    }
    const maxReached = exported >= options.max;
    ctx.print({ exported, file: options.out, inFlight, maxReached }, () =>
      [
        `exported ${exported} message(s) to ${options.out}`,
        ...(maxReached ? [`stopped at --max ${options.max}; there may be more`] : []),
        ...(inFlight > 0 ? [`${inFlight} message(s) in flight were not exported: another reader hides them until their visibility timeout ends; export again then`] : []),
      ].join('\n'),
    );
  });
}
