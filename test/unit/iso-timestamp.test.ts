import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../lib/messages/iso-timestamp.ts';

describe('isoTimestamp', () => {
  it('formats like Date#toISOString across days, leap days and the ends of the four-digit years', () => {
    const samples = [
      0,
      1,
      999,
      86_399_999,
      86_400_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1),
      Date.UTC(2026, 10, 22, 21, 5, 7, 42),
      253_402_300_799_999,
    ];
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 48271) % 2147483647;
      samples.push(Math.floor((seed / 2147483647) * 253_402_300_799_999));
    }
    for (const epochMs of samples) expect(isoTimestamp(epochMs)).toBe(new Date(epochMs).toISOString());
  });

  it('keeps toISOString for what is outside four-digit years or not a whole millisecond', () => {
    for (const epochMs of [-1, -62_198_755_200_000, 253_402_300_800_000, 1.5]) expect(isoTimestamp(epochMs)).toBe(new Date(epochMs).toISOString());
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError);
  });
});
