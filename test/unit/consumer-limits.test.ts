import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../lib/runtime/consuming/polling/consumer-limits.ts';

describe('exitCodeOf', () => {
  it('exits 0 on a planned stop and 70 when abandoned handlers hold the slots', () => {
    expect((['requested', 'signal', 'max-messages', 'max-runtime', 'max-memory'] as const).map(exitCodeOf)).toEqual([0, 0, 0, 0, 0]);
    expect(exitCodeOf('abandoned-handlers')).toBe(70);
  });
});
