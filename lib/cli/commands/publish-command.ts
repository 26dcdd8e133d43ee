import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { Publisher } from '../../runtime/publishing/publisher.ts';
import type { CliContext } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { integerOption } from '../cli-option-parsers.ts';

export function registerPublish(program: Command, context: () => Promise<CliContext>): void {
  for (const kind of ['event', 'command'] as const) {
    const command = program
      .command(`${kind === 'event' ? 'publish' : 'send'} <type> <json>`)
      .description(`validate a${kind === 'event' ? 'n event' : ' command'} against its schema and ${kind === 'event' ? 'publish it to its topic' : 'send it to its queue'} (<json> or @file)`)
      .option('--correlation-id <id>', 'id of the flow it belongs to')
      .option('--group-id <id>', 'message group: the order group on a FIFO destination, the tenant on a standard one (SQS fair queues)');
    if (kind === 'command') {
      command.addOption(new Option('--delay <seconds>', 'seconds before it becomes visible (0-900)').argParser(integerOption({ min: 0, max: 900, unit: 'seconds' })));
    }
    command.action(async (type: string, json: string, options: { correlationId?: string; groupId?: string; delay?: number }) => {
      const ctx = await context();
      const data = parseData(json);
      const publisher = new Publisher(ctx.declaration, { stage: ctx.topology.stage, source: 'postbox-cli', sns: ctx.clients.sns, sqs: ctx.clients.sqs });
      const sendOptions = {
        ...(options.correlationId && { correlationId: options.correlationId }),
        ...(options.groupId && { groupId: options.groupId }),
        ...(options.delay !== undefined && { delaySeconds: options.delay }),
      };
      const result = await (kind === 'event' ? publisher.publish(type as never, data as never, sendOptions) : publisher.send(type as never, data as never, sendOptions));
      ctx.print(result, () => `${kind === 'event' ? 'published' : 'sent'} ${type} ${result.id} (message id ${result.messageId ?? '-'})`);
    });
  }
}

function parseData(argument: string): unknown {
  let text = argument;
  if (argument.startsWith('@')) {
    try {
      text = readFileSync(argument.slice(1), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${argument.slice(1)}: ${(error as Error).message}`, ExitCode.invalidInput);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`the message is not valid JSON: ${(error as Error).message}`, ExitCode.invalidInput);
  }
}

