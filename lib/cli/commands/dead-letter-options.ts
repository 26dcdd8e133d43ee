import { Option, type Command } from 'commander';
import { durationOption, integerOption } from '../cli-option-parsers.ts';
import type { DeadLetterFilter } from '../../operations/dead-letter-browser.ts';

/** The most `--max` accepts: a bound on one run's SQS receives, not an SQS limit. */
export const MAX_LISTED = 100_000;

export interface FilterOptions {
  readonly id?: string[];
  readonly type?: string;
  readonly grep?: string;
  /** Milliseconds. */
  readonly olderThan?: number;
  readonly max: number;
}

/** Adds `--max <n>`, with the command's default. */
export function withMaxOption(command: Command, defaultMax: number, description: string): Command {
  return command.addOption(new Option('--max <n>', `${description} (1-${MAX_LISTED})`).default(defaultMax).argParser(integerOption({ min: 1, max: MAX_LISTED, unit: 'messages' })));
}

/** Adds the options that pick dead letters. */
export function withFilterOptions(command: Command): Command {
  return withMaxOption(
    command
      .option('--id <ids...>', 'only these message ids')
      .option('--type <type>', 'only messages of this type')
      .option('--grep <text>', 'only messages whose body or failure reason contains this text')
      .addOption(new Option('--older-than <duration>', 'only messages that failed at least this long ago (90s, 15m, 2h, 7d)').argParser(durationOption)),
    1000,
    'look at most at this many messages',
  );
}

export function toFilter(options: FilterOptions): DeadLetterFilter {
  return {
    ...(options.id && { ids: options.id }),
    ...(options.type && { type: options.type }),
    ...(options.grep && { text: options.grep }),
    ...(options.olderThan !== undefined && { olderThanMs: options.olderThan }),
  };
}
