import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Option, type Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { integerOption } from '../cli-option-parsers.ts';
import { describeDeadLetter } from '../../operations/dead-letter-browser.ts';

export function registerTail(program: Command, context: () => Promise<CliContext>): void {
  program
    .command('tail <queue>')
    .description('print messages as they arrive, without deleting them (each peek counts as a receive)')
    .option('--dlq', "tail the queue's dead-letter queue")
    .addOption(new Option('--for <seconds>', 'stop after this many seconds, 1-86400 (default: until Ctrl-C)').argParser(integerOption({ min: 1, max: 86_400, unit: 'seconds' })))
    .addOption(
      new Option('--interval <seconds>', 'pause between peeks when nothing new arrived (1-3600)').default(10).argParser(integerOption({ min: 1, max: 3600, unit: 'seconds' })),
    )
    .action(async (queueName: string, options: { dlq?: boolean; for?: number; interval: number }) => {
      const ctx = await context();
      const address = await ctx.directory.address(queueName);
      const url = options.dlq ? address.deadLetterUrl : address.url;
      if (!options.dlq) {
        ctx.io.err(
          `note: each peek counts as a receive; a message peeked ${address.queue.redriveReceiveCount} times moves to the DLQ, so tail pauses ${options.interval} s between peeks that bring nothing new`,
        );
      }
      const seen = new Set<string>();
      const until = options.for === undefined ? Infinity : Date.now() + options.for * 1000;
      while (Date.now() < until) {
        const { Messages = [] } = await ctx.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: Math.max(0, Math.min(5, Math.ceil((until - Date.now()) / 1000))),
            // Visibility 0: a peek; the message stays available to its consumers.
            VisibilityTimeout: 0,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const fresh = Messages.filter((message) => !seen.has(message.MessageId!));
        for (const message of fresh) {
          seen.add(message.MessageId!);
          const summary = describeDeadLetter(message);
          ctx.print({ ...summary, body: message.Body }, () => `${new Date().toISOString()}  ${summary.messageId}  ${summary.type ?? '-'}  ${summary.excerpt}`);
        }
        if (Messages.length > 0 && fresh.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(options.interval * 1000, until - Date.now()))));
        }
      }
    });
}
