import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { durationOption, endpointOption, integerOption } from '../../lib/cli/cli-option-parsers.ts';

describe('CLI option parsers', () => {
  it('accepts whole numbers within the range and refuses anything else with the accepted range', () => {
    const max = integerOption({ min: 1, max: 100_000, unit: 'messages' });
    expect(max('1')).toBe(1);
    expect(max('100000')).toBe(100_000);
    for (const bad of ['abc', '0', '1e', '1e3', '2.5', '-1', '', ' ', '0x10', '100001']) {
      expect(() => max(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => max('abc')).toThrow('expected a whole number of messages from 1 to 100000');
    expect(integerOption({ min: 0, max: 900, unit: 'seconds' })('0')).toBe(0);
  });

  it('reads durations in s, m, h or d as milliseconds and refuses other spellings', () => {
    expect(durationOption('90s')).toBe(90_000);
    expect(durationOption('15m')).toBe(900_000);
    expect(durationOption('2h')).toBe(7_200_000);
    expect(durationOption('7d')).toBe(604_800_000);
    for (const bad of ['abc', '10', '1.5h', '-1h', 'h', '2w']) expect(() => durationOption(bad), bad).toThrow(InvalidArgumentError);
    expect(() => durationOption('10')).toThrow('expected a duration such as 90s, 15m, 2h or 7d');
  });

  it('accepts http and https endpoints and refuses anything else', () => {
    expect(endpointOption('http://127.0.0.1:4566')).toBe('http://127.0.0.1:4566');
    expect(endpointOption('https://sqs.eu-west-1.amazonaws.com')).toBe('https://sqs.eu-west-1.amazonaws.com');
    for (const bad of ['not-a-url', 'localhost:4566', 'ftp://host', 'http://']) expect(() => endpointOption(bad), bad).toThrow(InvalidArgumentError);
    expect(() => endpointOption('not-a-url')).toThrow('expected an http:// or https:// URL such as http://127.0.0.1:4566');
  });
});
