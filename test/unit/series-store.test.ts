import { describe, expect, it } from 'vitest';
import { SeriesStore } from '../../lib/local/series-store.ts';
import { percentile } from '../../lib/local/system-sampler.ts';

describe('the series store of the console', () => {
  it('keeps the samples in the order they came, each figure aligned on the times', () => {
    const store = new SeriesStore(10_000, 2_000);
    store.push(2_000, { 'queue:a': { waiting: 1, inFlight: 0 } });
    store.push(4_000, { 'queue:a': { waiting: 3, inFlight: 2 } });
    expect(store.snapshot()).toEqual({ stepMs: 2_000, windowMs: 10_000, times: [2_000, 4_000], charts: { 'queue:a': { waiting: [1, 3], inFlight: [0, 2] } } });
  });

  it('holds at most the window over the step, dropping the oldest first, however long it runs', () => {
    const store = new SeriesStore(10_000, 2_000);
    for (let step = 1; step <= 1_003; step++) store.push(step * 2_000, { 'queue:a': { waiting: step } });
    expect(store.size).toBe(5);
    const { times, charts } = store.snapshot();
    expect(times).toEqual([999, 1_000, 1_001, 1_002, 1_003].map((step) => step * 2_000));
    expect(charts['queue:a']!.waiting).toEqual([999, 1_000, 1_001, 1_002, 1_003]);
  });

  it('gives a chart that came later, or a figure a sample lacks, null at the times it had none', () => {
    const store = new SeriesStore(6_000, 2_000);
    store.push(1, { 'queue:a': { waiting: 1 } });
    store.push(2, { 'queue:a': { waiting: 2 }, 'worker:b': { inFlight: 4 } });
    store.push(3, { 'queue:a': { waiting: null }, 'worker:b': { inFlight: 0 } });
    store.push(4, { 'queue:a': { waiting: 0 } });
    expect(store.snapshot().charts).toEqual({ 'queue:a': { waiting: [2, null, 0] }, 'worker:b': { inFlight: [4, 0, null] } });
  });

  it('refuses a window shorter than one step', () => {
    expect(() => new SeriesStore(1_000, 2_000)).toThrow(/must hold at least one step/);
    expect(() => new SeriesStore(1_000, 0)).toThrow(RangeError);
  });
});

describe('the percentiles of handler durations', () => {
  it('takes the nearest rank, and has none for a step without handlings', () => {
    const ascending = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(ascending, 0.5)).toBe(50);
    expect(percentile(ascending, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});
