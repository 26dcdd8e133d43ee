import { describe, expect, it } from 'vitest';
import { capVisibilitySeconds, visibilityLeftSeconds } from '../../lib/retry/visibility-budget.ts';

const HOUR = 3_600_000;
const receivedAt = Date.UTC(2024, 0, 1);

describe('visibility budget (SQS: at most 12 h of visibility from receipt)', () => {
  it('leaves all 12 hours at the receipt and none at or after 12 hours', () => {
    expect(visibilityLeftSeconds(receivedAt, receivedAt)).toBe(43_200);
    expect(visibilityLeftSeconds(receivedAt, receivedAt + 12 * HOUR)).toBe(0);
    expect(visibilityLeftSeconds(receivedAt, receivedAt + 13 * HOUR)).toBe(0);
  });

  it('counts whole seconds down, rounding what is left down', () => {
    expect(visibilityLeftSeconds(receivedAt, receivedAt + 11 * HOUR + 500)).toBe(3_599);
  });

  it('keeps an extension or a backoff that fits, and caps one that does not at what is left', () => {
    expect(capVisibilitySeconds(900, receivedAt, receivedAt + HOUR)).toBe(900);
    expect(capVisibilitySeconds(43_200, receivedAt, receivedAt + 11 * HOUR)).toBe(3_600);
    expect(capVisibilitySeconds(60, receivedAt, receivedAt + 12 * HOUR + 1)).toBe(0);
  });
});
