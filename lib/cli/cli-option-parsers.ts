import { InvalidArgumentError } from 'commander';
import { resourceNamePattern } from '../topology/topology-schema.ts';

/**
 * Parsers for commander's `Option.argParser`: a bad value becomes commander's
 * one-line usage error (exit 2) naming the option and what it accepts, instead
 * of a NaN that a command would take for "nothing to do".
 */

/** A whole number in `[min, max]`, written in plain digits (no `1e3`, no `0x10`). */
export function integerOption({ min, max, unit }: { min: number; max: number; unit: string }): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= min && number <= max)) throw new InvalidArgumentError(`expected a whole number of ${unit} from ${min} to ${max}.`);
    return number;
  };
}

const DURATION_UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `15m`, `2h`, `7d` → milliseconds. */
export function durationOption(value: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 15m, 2h or 7d.');
  return Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS];
}

/** An `http://` or `https://` URL with a host. */
export function endpointOption(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // Reported below with what is accepted.
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.hostname) {
    throw new InvalidArgumentError('expected an http:// or https:// URL such as http://127.0.0.1:4566.');
  }
  return value;
}

/** A stage name, as every resource name takes it: checked here, so that a bad `--stage` is blamed on the option. */
export function stageOption(value: string): string {
  if (!resourceNamePattern.test(value)) throw new InvalidArgumentError('use lower-case letters, digits and hyphens, starting with a letter (e.g. prod).');
  return value;
}
