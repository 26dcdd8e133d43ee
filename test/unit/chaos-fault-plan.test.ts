import { describe, expect, it } from 'vitest';
import { faultFor } from '../../bench/chaos/fault-plan.ts';

describe('the chaos run fault plan', () => {
  const rates = { throw: 0.1, unrecoverable: 0.005, hang: 0.002 };
  const keys = Array.from({ length: 20_000 }, (_, i) => `order.placed:chaos-${i}`);

  it('throws on about a tenth of attempts, each attempt drawn on its own', () => {
    const throwsOnFirst = keys.filter((key) => faultFor('seed', 'billing', key, 1, rates) === 'throw');
    expect(throwsOnFirst.length / keys.length).toBeGreaterThan(0.08);
    expect(throwsOnFirst.length / keys.length).toBeLessThan(0.12);
    // Independent attempts: of those that threw on the first, about a tenth throw on the second too.
    const again = throwsOnFirst.filter((key) => faultFor('seed', 'billing', key, 2, rates) === 'throw');
    expect(again.length / throwsOnFirst.length).toBeLessThan(0.2);
  });

  it('makes the same decision for the same delivery in every process', () => {
    expect(keys.slice(0, 100).map((key) => faultFor('s', 'q', key, 3, rates))).toEqual(keys.slice(0, 100).map((key) => faultFor('s', 'q', key, 3, rates)));
  });
});
