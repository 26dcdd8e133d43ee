import { describe, expect, it } from 'vitest';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { TopologyError } from '../../lib/topology/topology-error.ts';
import { aTopology } from '../helpers/topology-factory.ts';

describe('worker timeout check', () => {
  it('refuses a worker task timeout over 12 hours, beside the other problems, in one TopologyError', () => {
    const topology = aTopology({
      commandHandlers: { 'stock.count': { handler: { kind: 'worker', timeoutSeconds: 86_400 } } },
      topics: { items: { events: ['item.added', 'item.removed', 'item.nope'] } },
    });
    let problems: readonly string[] = [];
    try {
      resolveTopology(topology, { stage: 'dev' });
    } catch (error) {
      expect(error).toBeInstanceOf(TopologyError);
      problems = (error as TopologyError).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        "command handler of 'stock.count': worker task timeout 86400 s exceeds the 12 hours (43200 s) SQS lets a message stay invisible after its receipt; lower timeoutSeconds or split the task",
        "topic 'items' carries unknown event type 'item.nope'; declare it under events",
      ]),
    );
  });

  it('accepts a worker task timeout of exactly 12 hours', () => {
    const topology = aTopology({ commandHandlers: { 'stock.count': { handler: { kind: 'worker', timeoutSeconds: 43_200 } } } });
    expect(() => resolveTopology(topology, { stage: 'dev' })).not.toThrow();
  });
});
