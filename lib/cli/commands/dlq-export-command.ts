import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { browse, release } from '../dead-letter-browser.ts';

export function registerDlqExport(dlq: Command, context: () => Promise<CliContext>): void {
  dlq
    .command('export <queue>')
    .description('save every dead-lettered message (body, attributes) as JSON lines; they stay in the DLQ')
    .requiredOption('--out <file>', 'the .jsonl file to write')
    .option('--max <n>', 'at most this many messages', '100000')
    .action(async (queueName: string, options: { out: string; max: string }) => {
      const ctx = await context();
      const { deadLetterUrl } = await ctx.address(queueName);
      const messages = await browse(ctx.sqs, deadLetterUrl, Number(options.max));
      try {
        const lines = messages.map((message) =>
          JSON.stringify({
            messageId: message.MessageId,
            body: message.Body,
            messageAttributes: message.MessageAttributes ?? {},
            attributes: message.Attributes ?? {},
          }),
        );
        writeFileSync(options.out, lines.length > 0 ? `${lines.join('\n')}\n` : '');
      } finally {
        await release(ctx.sqs, deadLetterUrl, messages);
      }
      ctx.print({ exported: messages.length, file: options.out }, () => `exported ${messages.length} message(s) to ${options.out}`);
    });
}
