import { InvalidArgumentError, Option, type Command } from 'commander';

export interface SendDeadLetterOptions {
  readonly table?: string;
  readonly file?: string;
  readonly id?: string[];
}

/** DynamoDB's rule for a table name. */
function tableNameOption(value: string): string {
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(value)) throw new InvalidArgumentError('expected a DynamoDB table name: 3 to 255 letters, digits, _ . or -.');
  return value;
}

function nonEmpty(what: string): (value: string, previous?: string[]) => string[] {
  return (value, previous) => {
    if (value.trim() === '') throw new InvalidArgumentError(`expected ${what}, not an empty string.`);
    return [...(previous ?? []), value];
  };
}

/** Adds the options that pick a send dead-letter and its records: `--table` or `--file`, and `--id`. */
export function withSendDeadLetterOptions(command: Command): Command {
  return command
    .addOption(new Option('--table <name>', "the outbox table (default: the topology's, <app>-<stage>-outbox)").argParser(tableNameOption).conflicts('file'))
    .addOption(
      new Option('--file <path>', "a JSON-lines send dead-letter (a Publisher's JsonLinesSendDeadLetter) instead of the table").argParser((value: string) => {
        if (value.trim() === '') throw new InvalidArgumentError('expected the path of a JSON-lines file, not an empty string.');
        return value;
      }),
    )
    .addOption(new Option('--id <ids...>', 'only the messages of these ids').argParser(nonEmpty('a message id')));
}
