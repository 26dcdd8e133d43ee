import * as z from 'zod';
import type { TopologyDeclaration } from '../../lib/topology/topology-declaration.ts';

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
