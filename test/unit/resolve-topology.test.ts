import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { aTopology, problemsOf } from '../helpers/topology-factory.ts';


describe('resolveTopology', () => {
  it('names every resource <app>-<stage>-<name>, with -dlq and -delivery-dlq companions', () => {
    const topology = resolveTopology(aTopology(), { stage: 'prod' });
    expect(topology.topics.map((topic) => topic.name)).toEqual(['shop-prod-items']);
    const [ledger, stock] = topology.queues;
    expect(ledger).toMatchObject({
      id: 'ledger',
      name: 'shop-prod-ledger',
      deadLetterQueueName: 'shop-prod-ledger-dlq',
      subscription: { topicId: 'items', filterPolicy: { type: ['item.added'] }, deliveryDeadLetterQueueName: 'shop-prod-ledger-delivery-dlq' },
    });
    expect(stock).toMatchObject({ id: 'stock-count', role: 'command', name: 'shop-prod-stock-count', messageTypes: ['stock.count'] });
  });

  it('takes a topic of up to 1 MiB, and refuses a subscriber whose queue accepts less than its topic', () => {
    const declaration = {
      app: 'news',
      events: { 'story.filed': { schema: z.object({ text: z.string() }) } },
      topics: { stories: { events: ['story.filed'], maxMessageSizeBytes: 1_048_576 } },
      subscribers: {
        archive: { topic: 'stories', events: ['story.filed'], handler: { kind: 'lambda', entry: 'a.ts' }, queue: { maxMessageSizeBytes: 1_048_576 } },
        digest: { topic: 'stories', events: ['story.filed'], handler: { kind: 'lambda', entry: 'd.ts' } },
      },
    } as const;
    expect(problemsOf(() => resolveTopology(declaration, { stage: 'dev' }))).toEqual([
      "subscriber 'digest' accepts 262144 bytes, less than the 1048576 of its topic 'stories'; set its queue.maxMessageSizeBytes to 1048576, or its larger messages end in its delivery dead-letter queue",
    ]);
    const { digest: _, ...fitting } = declaration.subscribers;
    const resolved = resolveTopology({ ...declaration, subscribers: fitting }, { stage: 'dev' });
    expect(resolved.topics[0]!.maxMessageSizeBytes).toBe(1_048_576);
    expect(problemsOf(() => resolveTopology({ ...declaration, topics: { stories: { events: ['story.filed'], maxMessageSizeBytes: 2_000_000 } } }, { stage: 'dev' }))[0]).toMatch(
      /^topics\.stories\.maxMessageSizeBytes: /,
    );
  });

  it('keeps two stages of one app apart', () => {
    const dev = resolveTopology(aTopology(), { stage: 'dev' });
    const prod = resolveTopology(aTopology(), { stage: 'prod' });
    const names = (t: typeof dev) => t.queues.flatMap((q) => [q.name, q.deadLetterQueueName]);
    expect(names(dev).filter((name) => names(prod).includes(name))).toEqual([]);
  });

  it('applies the documented defaults', () => {
    const [ledger, stock] = resolveTopology(aTopology(), { stage: 'dev' }).queues;
    expect(ledger).toMatchObject({
      maxReceiveCount: 5,
      retentionSeconds: 345_600,
      deadLetterRetentionSeconds: 1_209_600,
      backoff: { baseSeconds: 5, capSeconds: 900 },
      handler: { kind: 'lambda', timeoutSeconds: 30, batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 10, memoryMb: 256 },
    });
    expect(stock!.handler).toEqual({ kind: 'worker', timeoutSeconds: 900, concurrency: 10 });
  });

  it('derives a Lambda queue visibility of 6 × the timeout plus the batching window', () => {
    const topology = aTopology({
      subscribers: {
        ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'lambda', entry: 'x.ts', timeoutSeconds: 40, maxBatchingWindowSeconds: 5 } },
      },
    });
    expect(resolveTopology(topology, { stage: 'dev' }).queues[0]!.visibilityTimeoutSeconds).toBe(245);
  });

  it('makes the queues of a FIFO topic FIFO, with .fifo names', () => {
    const topology = aTopology({ topics: { items: { events: ['item.added', 'item.removed'], fifo: true } } });
    const [ledger] = resolveTopology(topology, { stage: 'dev' }).queues;
    expect(ledger).toMatchObject({
      fifo: true,
      name: 'shop-dev-ledger.fifo',
      deadLetterQueueName: 'shop-dev-ledger-dlq.fifo',
      subscription: { deliveryDeadLetterQueueName: 'shop-dev-ledger-delivery-dlq.fifo' },
    });
  });

  it('carries content-based deduplication to a FIFO topic, off by default, and refuses it on a standard topic', () => {
    const fifo = aTopology({ topics: { items: { events: ['item.added', 'item.removed'], fifo: true, contentBasedDeduplication: true } } });
    expect(resolveTopology(fifo, { stage: 'dev' }).topics[0]).toMatchObject({ fifo: true, contentBasedDeduplication: true });
    expect(resolveTopology(aTopology(), { stage: 'dev' }).topics[0]).toMatchObject({ contentBasedDeduplication: false });
    const standard = aTopology({ topics: { items: { events: ['item.added', 'item.removed'], contentBasedDeduplication: true } } });
    expect(problemsOf(() => resolveTopology(standard, { stage: 'dev' }))).toEqual([
      "topic 'items' has contentBasedDeduplication, which only FIFO topics have; add fifo: true or remove it",
    ]);
  });

  it('lists every problem of a bad topology in one error', () => {
    const bad = aTopology({
      events: { 'item.added': { schema: z.string() }, 'stock.count': { schema: z.string() } },
      topics: { items: { events: ['item.added', 'item.gone'] }, Other: { events: ['item.added'], fifo: true } },
      subscribers: {
        ledger: { topic: 'items', events: ['item.added', 'item.removed'], handler: { kind: 'lambda', entry: 'x.ts', timeoutSeconds: 60 }, queue: { visibilityTimeoutSeconds: 30, fifo: true } },
        orphan: { topic: 'nowhere', events: ['item.added'], handler: { kind: 'worker' } },
        'stock-count': { topic: 'items', events: ['item.added'], handler: { kind: 'worker' } },
      },
    });
    const problems = problemsOf(() => resolveTopology(bad, { stage: 'dev' }));
    expect(problems).toEqual([
      "'stock.count' is declared both as an event and as a command; a message type has one kind",
      "topic 'items' carries unknown event type 'item.gone'; declare it under events",
      "topic name 'Other' must use lower-case letters, digits and hyphens, starting with a letter",
      "event type 'item.added' is carried by topic 'items' and again by 'Other'; each event has one topic",
      "event type 'stock.count' is carried by no topic, so it cannot be published; add it to a topic's events",
      "subscriber 'ledger' wants unknown event type 'item.removed'",
      "subscriber 'ledger' has a FIFO queue but topic 'items' is standard; a subscriber's queue is FIFO exactly when its topic is",
      "subscriber 'orphan' listens to unknown topic 'nowhere'; declare it under topics, or under externalTopics for another service's",
      "subscriber 'ledger': visibility timeout 30 s cannot cover the handler timeout of 60 s; use at least 60 s (AWS advises 360 s) or omit it to derive it",
      "queue name 'shop-dev-stock-count' is used by both subscriber 'stock-count' and command handler of 'stock.count'; rename one of them",
      "queue name 'shop-dev-stock-count-dlq' is used by both subscriber 'stock-count' and command handler of 'stock.count'; rename one of them",
    ]);
  });

  it('rejects names over the SQS limit of 80 characters, counting .fifo', () => {
    const longName = 'a'.repeat(60);
    const topology = aTopology({
      topics: { items: { events: ['item.added', 'item.removed'], fifo: true } },
      subscribers: { [longName]: { topic: 'items', events: ['item.added'], handler: { kind: 'worker' } } },
    });
    const problems = problemsOf(() => resolveTopology(topology, { stage: 'dev' }));
    // The main queue (74 characters) and its DLQ (78) fit; the delivery DLQ does not.
    expect(problems).toEqual([
      `queue name 'shop-dev-${longName}-delivery-dlq.fifo' is 87 characters, over the SQS limit of 80 ('.fifo' included); shorten the app, stage or '${longName}'`,
    ]);
  });

  it('reports the shape problems zod finds, with their paths', () => {
    const problems = problemsOf(() =>
      resolveTopology(
        aTopology({
          app: 'Shop!',
          subscribers: { ledger: { topic: 'items', events: [], handler: { kind: 'lambda', entry: 'x.ts', timeoutSeconds: 901 } } },
        }),
        { stage: 'dev' },
      ),
    );
    expect(problems).toEqual([
      'app: use lower-case letters, digits and hyphens, starting with a letter',
      'subscribers.ledger.events: Too small: expected array to have >=1 items',
      'subscribers.ledger.handler.timeoutSeconds: Too big: expected number to be <=900',
    ]);
  });

  it('reports the cross-checks too when the schema fails: an invalid app name hides no FIFO mismatch or batch size', () => {
    const problems = problemsOf(() =>
      resolveTopology(
        aTopology({
          app: 'Shop!',
          topics: { items: { events: ['item.added', 'item.removed'], fifo: true } },
          subscribers: {
            ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'lambda', entry: 'x.ts', batchSize: 20 }, queue: { fifo: false } },
          },
        }),
        { stage: 'dev' },
      ),
    );
    expect(problems).toEqual([
      'app: use lower-case letters, digits and hyphens, starting with a letter',
      "subscriber 'ledger' has a standard queue but topic 'items' is FIFO; a subscriber's queue is FIFO exactly when its topic is",
      "subscriber 'ledger': a FIFO queue's Lambda batch size is at most 10, not 20",
    ]);
  });

  it('skips the cross-checks of an entry its schema refused, and of the subscribers of a refused topic', () => {
    const problems = problemsOf(() =>
      resolveTopology(
        aTopology({
          topics: { items: { events: 'item.added' as never } },
          subscribers: {
            ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'lambda', entry: 'x.ts' } },
            broken: { topic: 'nowhere', events: ['item.added'], handler: { kind: 'queue' as never } },
          },
          commandHandlers: { 'stock.count': { handler: { kind: 'worker', concurrency: 0 } } },
        }),
        { stage: 'dev' },
      ),
    );
    expect(problems).toEqual([
      'topics.items.events: Invalid input: expected array, received string',
      "subscribers.broken.handler.kind: Invalid discriminator value. Expected 'lambda' | 'worker' | 'http'",
      'commandHandlers.stock.count.handler.concurrency: Too small: expected number to be >=1',
    ]);
  });

  it('requires a handler for every command and a declared command for every handler', () => {
    const problems = problemsOf(() =>
      resolveTopology(aTopology({ commandHandlers: { 'stock.recount': { handler: { kind: 'worker' } } } as never }), { stage: 'dev' }),
    );
    expect(problems).toEqual([
      "command handler 'stock.recount' handles an unknown command type; declare it under commands",
      "command 'stock.count' has no handler; add one under commandHandlers",
    ]);
  });

  it('carries a FIFO topic\'s throughput scope, leaves it out by default, and refuses it on a standard topic', () => {
    const fifo = aTopology({ topics: { items: { events: ['item.added', 'item.removed'], fifo: true, fifoThroughputScope: 'MessageGroup' } } });
    expect(resolveTopology(fifo, { stage: 'dev' }).topics[0]).toMatchObject({ fifoThroughputScope: 'MessageGroup' });
    expect(resolveTopology(aTopology(), { stage: 'dev' }).topics[0]).not.toHaveProperty('fifoThroughputScope');
    const standard = aTopology({ topics: { items: { events: ['item.added', 'item.removed'], fifoThroughputScope: 'MessageGroup' } } });
    expect(problemsOf(() => resolveTopology(standard, { stage: 'dev' }))).toEqual([
      "topic 'items' has fifoThroughputScope, which only FIFO topics have; add fifo: true or remove it",
    ]);
    const unknown = aTopology({ topics: { items: { events: ['item.added', 'item.removed'], fifo: true, fifoThroughputScope: 'Group' as 'Topic' } } });
    expect(problemsOf(() => resolveTopology(unknown, { stage: 'dev' }))[0]).toMatch(/^topics\.items\.fifoThroughputScope: .*"Topic"\|"MessageGroup"/);
  });

  it('takes provisioned pollers for a Lambda handler, with the event source\'s defaults, and refuses what Lambda would', () => {
    const handler = { kind: 'lambda', entry: 'x.ts', provisionedPollers: {} } as const;
    const resolved = resolveTopology(aTopology({ commandHandlers: { 'stock.count': { handler } } }), { stage: 'dev' });
    expect(resolved.queues.find((queue) => queue.role === 'command')!.handler).toMatchObject({ provisionedPollers: { minimum: 2, maximum: 200 } });
    const problems = problemsOf(() =>
      resolveTopology(
        aTopology({
          subscribers: {
            ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'lambda', entry: 'x.ts', maxConcurrency: 20, provisionedPollers: { minimum: 50, maximum: 10 } } },
          },
          commandHandlers: { 'stock.count': { handler: { kind: 'lambda', entry: 'x.ts', provisionedPollers: { minimum: 1, maximum: 3000 } } } },
        }),
        { stage: 'dev' },
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^commandHandlers\.stock\.count\.handler\.provisionedPollers\.minimum: .*2/),
      expect.stringMatching(/^commandHandlers\.stock\.count\.handler\.provisionedPollers\.maximum: .*2000/),
      "subscriber 'ledger': provisionedPollers keeps 50 pollers ready but may scale to only 10; raise maximum to at least 50 or lower minimum",
      "subscriber 'ledger': maxConcurrency and provisionedPollers cannot go together (Lambda's event source takes one or the other); remove maxConcurrency, as provisionedPollers.maximum bounds the pollers",
    ]);
  });

  it('refuses Lambda batching settings that SQS event sources reject', () => {
    const problems = problemsOf(() =>
      resolveTopology(
        aTopology({
          topics: { items: { events: ['item.added', 'item.removed'], fifo: true } },
          subscribers: {
            ledger: { topic: 'items', events: ['item.added'], handler: { kind: 'lambda', entry: 'x.ts', batchSize: 20, maxBatchingWindowSeconds: 3 } },
          },
          commandHandlers: { 'stock.count': { handler: { kind: 'lambda', entry: 'x.ts', batchSize: 100 }, queue: { backoff: { baseSeconds: 60, capSeconds: 30 } } } },
        }),
        { stage: 'dev' },
      ),
    );
    expect(problems).toEqual([
      "subscriber 'ledger': a FIFO queue's Lambda batch size is at most 10, not 20",
      "subscriber 'ledger': a FIFO queue's Lambda event source has no batching window; remove maxBatchingWindowSeconds",
      "command handler of 'stock.count': a batch size over 10 (100) needs a batching window of at least 1 s",
      "command handler of 'stock.count': backoff base 60 s is above its cap of 30 s",
    ]);
  });

  it('formats the error as one message naming each problem', () => {
    expect(() => resolveTopology(aTopology({ topics: {} }), { stage: 'Dev' })).toThrowError(
      expect.objectContaining({
        code: 'TOPOLOGY_INVALID',
        message:
        "Topology 'shop' has 4 problems:\n" +
          "  - stage 'Dev' must use lower-case letters, digits and hyphens, starting with a letter\n" +
          "  - event type 'item.added' is carried by no topic, so it cannot be published; add it to a topic's events\n" +
          "  - event type 'item.removed' is carried by no topic, so it cannot be published; add it to a topic's events\n" +
          "  - subscriber 'ledger' listens to unknown topic 'items'; declare it under topics, or under externalTopics for another service's\n" +
          'Fix the topology declaration and try again.',
      }),
    );
  });
});
