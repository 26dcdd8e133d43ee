import { describe, expect, it } from 'vitest';
import { EmfMetrics, millisecondsText } from '../../lib/runtime/observability/emf-metrics.ts';

/** CloudWatch takes at most 100 values per metric in one EMF document. */
const MAX_VALUES = 100;

function flushed(record: (metrics: EmfMetrics) => void) {
  const lines: string[] = [];
  const metrics = new EmfMetrics('Postbox/pay', 'accounting', (line) => lines.push(line));
  record(metrics);
  metrics.flush();
  return lines.map((line) => JSON.parse(line));
}

const declared = (document: any) => document._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name);

describe('EmfMetrics', () => {
  it('splits the durations of more than 100 messages over several documents, keeping every value and counting once', () => {
    const documents = flushed((metrics) => {
      for (let i = 0; i < 250; i++) metrics.record('payment.received', i % 5 === 0 ? 'Failed' : 'Processed', i);
    });
    expect(documents).toHaveLength(3);
    for (const document of documents) {
      expect(document.Duration.length).toBeLessThanOrEqual(MAX_VALUES);
      expect(document).toMatchObject({ Queue: 'accounting', MessageType: 'payment.received' });
      // The root holds every metric its directive declares, as EMF requires.
      for (const name of declared(document)) expect(document[name], name).toBeDefined();
    }
    expect(documents.flatMap((document) => document.Duration)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const sum = (name: string) => documents.reduce((total, document) => total + (document[name] ?? 0), 0);
    expect([sum('Processed'), sum('Failed')]).toEqual([200, 50]);
    // Counts go out once: a continuation declares Duration only, so it adds no zero samples to the counts.
    expect(documents.slice(1).map(declared)).toEqual([['Duration'], ['Duration']]);
  });

  it('writes one document per type when each has 100 durations or fewer', () => {
    const documents = flushed((metrics) => {
      for (let i = 0; i < MAX_VALUES; i++) metrics.record('payment.received', 'Processed', 1);
      metrics.count('payment.refunded', 'Retried');
    });
    expect(documents.map((document) => [document.MessageType, document.Duration.length, declared(document).length])).toEqual([
      ['payment.received', 100, 6],
      ['payment.refunded', 0, 6],
    ]);
  });

  it('writes each duration as the shortest digits of its milliseconds rounded to the microsecond, as String does', () => {
    const microseconds = [
      ...Array.from({ length: 20_000 }, (_, i) => i),
      ...[100_000, 999_999, 1_000_001, 123_456_789, 86_400_000_000, 4_000_000_000_000_001],
      ...Array.from({ length: 2000 }, (_, i) => Math.floor((i * 7919 + 13) ** 2.7 % 4e15)),
    ];
    for (const value of microseconds) expect(millisecondsText(value), String(value)).toBe(String(value / 1000));
    const [document] = flushed((metrics) => {
      for (const ms of [0.0004, 0.0005, 1.23449, 2, 17.1, 0.010_000_1]) metrics.record('payment.received', 'Processed', ms);
    });
    expect(document.Duration).toEqual([0, 0.001, 1.234, 2, 17.1, 0.01]);
  });
});
