import { describe, expect, it } from 'vitest';
import { chaosVerdict, tally, type DeadLetterEntry, type ExpectedDelivery, type InjectedFaults } from '../../bench/chaos/chaos-accounting.ts';
import type { Effect } from '../../bench/chaos/effect-ledger.ts';
import { faultFor } from '../../bench/chaos/fault-plan.ts';

const seed = 'verdict';
const rates = { throw: 0.1, unrecoverable: 0.005, hang: 0.002 };
const faults: InjectedFaults = {
  plan: { seed, rates, maxReceiveCount: { billing: 3 } },
  kills: [{ pid: 7, at: 10_500 }],
  outage: { from: 50_000, to: 60_000 },
  resends: new Map(),
  visibilityMs: { billing: 18_000 },
};
const keys = Array.from({ length: 5_000 }, (_, i) => `order.placed:chaos-${i}`);
const find = (test: (key: string) => boolean) => keys.find(test)!;
const unrecoverable = find((key) => faultFor(seed, 'billing', key, 1, rates) === 'unrecoverable');
const throwsOnLast = find((key) => faultFor(seed, 'billing', key, 1, rates) !== 'unrecoverable' && faultFor(seed, 'billing', key, 3, rates) === 'throw');
const neverFails = keys.filter((key) => [1, 2, 3].every((attempt) => faultFor(seed, 'billing', key, attempt, rates) === 'none'));
const [valid, handled, twice] = neverFails as [string, string, string];

const expected: ExpectedDelivery[] = [unrecoverable, throwsOnLast, valid, handled, twice].map((key) => ({ queue: 'billing', key }));
const effect = (key: string, pid: number, at: number): Effect => ({ queue: 'billing', key, attempt: 1, pid, at });
const planned: DeadLetterEntry[] = [
  { queue: 'billing', key: unrecoverable, reason: 'CHAOS_UNRECOVERABLE', attempt: 1 },
  { queue: 'billing', key: throwsOnLast, reason: 'RETRIES_EXHAUSTED', attempt: 3 },
];
const handledEffects = [effect(handled, 1, 1_000), effect(twice, 1, 2_000)];

describe('the chaos run verdict', () => {
  it('passes when every dead letter is one the fault plan called for and every duplicate is explained', () => {
    const afterKill = [effect(valid, 7, 10_000), effect(valid, 8, 20_000)];
    const result = tally(5, expected, [...handledEffects, ...afterKill], planned, faults);
    expect(result.lost).toEqual([]);
    expect(result.unexplainedDeadLetters).toEqual([]);
    expect(result.duplicatesFromKills).toBe(1);
    expect(chaosVerdict(result, true)).toEqual({ exitCode: 0, failures: [] });
  });

  it('counts a valid message that Postbox dead-lettered itself (a decoder refusing it) as lost and fails the run', () => {
    const decoderBug: DeadLetterEntry = { queue: 'billing', key: valid, reason: 'MESSAGE_INVALID', attempt: 1 };
    const result = tally(5, expected, handledEffects, [...planned, decoderBug], faults);
    expect(result.lost).toEqual([{ queue: 'billing', key: valid }]);
    expect(result.unexplainedDeadLetters).toEqual([decoderBug]);
    expect(chaosVerdict(result, true).exitCode).toBe(1);
  });

  it('fails the run on a reason the plan uses but not for that message or attempt', () => {
    const wronglyUnrecoverable: DeadLetterEntry = { queue: 'billing', key: valid, reason: 'CHAOS_UNRECOVERABLE', attempt: 1 };
    const exhaustedWithoutFaults: DeadLetterEntry = { queue: 'billing', key: handled, reason: 'RETRIES_EXHAUSTED', attempt: 3 };
    const result = tally(5, expected, [effect(twice, 1, 2_000)], [...planned, wronglyUnrecoverable, exhaustedWithoutFaults], faults);
    expect(result.lost.map((delivery) => delivery.key)).toEqual([valid, handled]);
    expect(chaosVerdict(result, true)).toEqual({ exitCode: 1, failures: ['2 lost', '2 dead letters the fault plan did not call for'] });
  });

  it('takes a dead letter past the last attempt as called for: its attempts ended without a result', () => {
    const withoutResult: DeadLetterEntry = { queue: 'billing', key: valid, reason: 'RETRIES_EXHAUSTED', attempt: 4 };
    const result = tally(5, expected, handledEffects, [...planned, withoutResult], faults);
    expect(chaosVerdict(result, true).exitCode).toBe(0);
  });

  it('fails the idempotent pass on any duplicate effect, even one a SIGKILL explains', () => {
    const afterKill = [effect(valid, 7, 10_000), effect(valid, 8, 20_000)];
    const result = tally(5, expected, [...handledEffects, ...afterKill], planned, faults);
    expect(chaosVerdict(result, true, { duplicatesAllowed: true })).toEqual({ exitCode: 0, failures: [] });
    expect(chaosVerdict(result, true, { duplicatesAllowed: false })).toEqual({ exitCode: 1, failures: ['1 duplicate effects of idempotent handlers'] });
  });

  it('fails the run on a duplicate effect that neither a SIGKILL nor the outage explains', () => {
    const result = tally(5, expected, [...handledEffects, effect(valid, 1, 30_000), effect(valid, 2, 31_000)], planned, faults);
    expect(result.unexplainedDuplicates).toBe(1);
    expect(chaosVerdict(result, true)).toEqual({ exitCode: 1, failures: ['1 unexplained duplicate effects'] });
  });

  it('takes a duplicate of a message the producer sent again as explained, one per resend', () => {
    const threeTimes = [effect(valid, 1, 30_000), effect(valid, 1, 31_000), effect(valid, 1, 32_000)];
    const result = tally(5, expected, [...handledEffects, ...threeTimes], planned, { ...faults, resends: new Map([[valid, 1]]) });
    expect(result.duplicatesFromResends).toBe(1);
    expect(chaosVerdict(result, true)).toEqual({ exitCode: 1, failures: ['1 unexplained duplicate effects'] });
  });

  it('fails the run when the queues did not drain', () => {
    expect(chaosVerdict(tally(5, expected, [...handledEffects, effect(valid, 1, 3_000)], planned, faults), false).failures).toEqual(['the queues did not drain']);
  });
});
