import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { aTopology, problemsOf } from '../helpers/topology-factory.ts';

describe('a topology declaration with a key it does not know', () => {
  it("refuses a handler setting of the other kind, or a misspelt one, naming the key, instead of dropping it", () => {
    const problems = problemsOf(() =>
      resolveTopology(
        aTopology({
          subscribers: { ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'worker', activeTracing: true } as never } },
          commandHandlers: { 'stock.count': { handler: { kind: 'lambda', entry: 'x.ts', concurency: 5 } as never } },
        }),
        { stage: 'dev' },
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^subscribers\.ledger\.handler: Unrecognized key: "activeTracing"/),
      expect.stringMatching(/^commandHandlers\.stock\.count\.handler: Unrecognized key: "concurency"/),
    ]);
  });

  it('says which keys the part takes, and whose a key of another handler kind is', () => {
    const problems = problemsOf(() =>
      resolveTopology(
        aTopology({
          subscribers: { ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'worker', activeTracing: true, memoryMb: 512 } as never } },
          commandHandlers: { 'stock.count': { handler: { kind: 'lambda', entry: 'x.ts' }, queue: { maxReceiveCont: 3 } } as never },
        }),
        { stage: 'dev' },
      ),
    );
    expect(problems).toEqual([
      'subscribers.ledger.handler: Unrecognized keys: "activeTracing", "memoryMb" ("activeTracing" is a Lambda handler\'s key; "memoryMb" is a Lambda handler\'s key); it takes kind, timeoutSeconds, concurrency',
      expect.stringMatching(/^commandHandlers\.stock\.count\.queue: Unrecognized key: "maxReceiveCont"; it takes maxReceiveCount, visibilityTimeoutSeconds, /),
    ]);
  });

  it('tells a key of postbox.config.ts written in the topology where it belongs', () => {
    const problems = problemsOf(() => resolveTopology({ ...aTopology(), stackGroups: 4 } as never, { stage: 'dev' }));
    expect(problems).toEqual([expect.stringMatching(/^topology: Unrecognized key: "stackGroups" \("stackGroups" is a key of postbox\.config\.ts\); it takes app, events, /)]);
  });

  it('refuses a misspelt key at every level of the declaration, naming it, instead of dropping it', () => {
    const problems = problemsOf(() =>
      resolveTopology(
        {
          ...aTopology({
            events: { 'item.added': { schema: z.object({}), verison: 2 } as never, 'item.removed': { schema: z.object({}) } },
            topics: { items: { events: ['item.added', 'item.removed'], maxMessageSizeByte: 1024 } as never },
            subscribers: {
              ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'worker' }, stackgroup: 'money', queue: { maxReceiveCont: 3 }, idempotency: { lifetime: 60 } } as never,
            },
            commandHandlers: { 'stock.count': { handler: { kind: 'worker' }, stackgroup: 'money' } as never },
          }),
          subscriber: {},
        } as never,
        { stage: 'dev' },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^topology: Unrecognized key: "subscriber"/),
        expect.stringMatching(/^events\.item\.added: Unrecognized key: "verison"/),
        expect.stringMatching(/^topics\.items: Unrecognized key: "maxMessageSizeByte"/),
        expect.stringMatching(/^subscribers\.ledger: Unrecognized key: "stackgroup"/),
        expect.stringMatching(/^subscribers\.ledger\.queue: Unrecognized key: "maxReceiveCont"/),
        expect.stringMatching(/^subscribers\.ledger\.idempotency: Unrecognized key: "lifetime"/),
        expect.stringMatching(/^commandHandlers\.stock\.count: Unrecognized key: "stackgroup"/),
      ]),
    );
  });
});
