import * as z from 'zod';
import type { TopologyDeclaration } from '../../lib/topology/topology-declaration.ts';
import { TopologyError } from '../../lib/topology/topology-error.ts';

const Data = z.object({ id: z.string() });

/** A small valid topology to bend in tests; deep-merge-free on purpose: tests replace whole parts. */
export function aTopology(overrides: Partial<TopologyDeclaration> = {}): TopologyDeclaration {
  return {
    app: 'shop',
    events: { 'item.added': { schema: Data }, 'item.removed': { schema: Data } },
    commands: { 'stock.count': { schema: Data } },
    topics: { items: { events: ['item.added', 'item.removed'] } },
    subscribers: {
      ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'lambda', entry: 'functions/notifications.ts' } },
    },
    commandHandlers: { 'stock.count': { handler: { kind: 'worker' } } },
    ...overrides,
  };
}

/**
 * A topology of `subscribers` Lambda subscribers over ten topics and `commands` Lambda command handlers, all with
 * one shared entry file: the size the big-topology test and the synth bench build. Names are numbered, so the
 * topology with one more subscriber holds every handler of the one before.
 */
export function aBigTopology({ subscribers, commands = 0 }: { subscribers: number; commands?: number }): TopologyDeclaration {
  const number = (index: number) => String(index).padStart(4, '0');
  const topicNames = Array.from({ length: 10 }, (_, index) => `topic-${index}`);
  const eventOf = (topic: string) => `${topic.replace('-', '.')}.happened`;
  return {
    app: 'big',
    events: Object.fromEntries(topicNames.map((topic) => [eventOf(topic), { schema: Data }])),
    commands: Object.fromEntries(Array.from({ length: commands }, (_, index) => [`job.run-${number(index)}`, { schema: Data }])),
    topics: Object.fromEntries(topicNames.map((topic) => [topic, { events: [eventOf(topic)] }])),
    subscribers: Object.fromEntries(
      Array.from({ length: subscribers }, (_, index) => {
        const topic = topicNames[index % topicNames.length]!;
        return [`subscriber-${number(index)}`, { topic, events: [eventOf(topic)], handler: { kind: 'lambda', entry: 'functions/notifications.ts' } }];
      }),
    ),
    commandHandlers: Object.fromEntries(
      Array.from({ length: commands }, (_, index) => [`job.run-${number(index)}`, { handler: { kind: 'lambda', entry: 'functions/notifications.ts' } }]),
    ),
  };
}

/** The problems of the TopologyError that `run` throws; anything else it throws is thrown on, and no throw fails. */
export function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof TopologyError) return error.problems;
    throw error;
  }
  throw new Error('expected a TopologyError');
}
