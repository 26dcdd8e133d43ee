import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { InMemoryIdempotencyStore } from '../../lib/runtime/consuming/idempotency/in-memory-idempotency-store.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { RequestTimeoutError } from '../../lib/runtime/publishing/request-reply/request-errors.ts';
import { Requester } from '../../lib/runtime/publishing/request-reply/requester.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';

const quotesTopology = defineTopology({
  app: 'quotes',
  events: {},
  topics: {},
  commands: { 'quote.price': { schema: z.object({ sku: z.string() }), reply: z.object({ cents: z.number().int() }) } },
  commandHandlers: { 'quote.price': { handler: { kind: 'worker', concurrency: 2 }, idempotency: {} } },
});

const clients = emulatorClients();
const silent = createLogger({}, { write: () => undefined });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a request to an idempotent command, asked again with its id after a timeout', () => {
  const stage = uniqueStage();
  let worker: PollingConsumer;
  let requester: Requester<typeof quotesTopology>;
  let calls = 0;

  beforeAll(async () => {
    const provisioned = await provisionTopology(resolveTopology(quotesTopology, { stage }), clients);
    const queue = provisioned.queues.get('quote-price')!;
    worker = new PollingConsumer(quotesTopology, {
      stage,
      queue: 'quote-price',
      sqs: clients.sqs,
      queueUrl: queue.url,
      deadLetterQueueUrl: queue.deadLetterUrl,
      waitTimeSeconds: 1,
      logger: silent,
      writeMetrics: () => undefined,
      idempotencyStore: new InMemoryIdempotencyStore(),
      handlers: {
        'quote.price': async () => {
          calls += 1;
          await sleep(2000);
          return { cents: 1234 };
        },
      },
    });
    worker.start();
    requester = new Requester(quotesTopology, { stage, source: 'web', ...clients, waitTimeSeconds: 1, logger: silent });
    await requester.start();
  });

  afterAll(async () => {
    await requester?.stop().catch(() => undefined);
    await worker?.stop();
  });

  it('gets the reply the handler gave, not a second timeout: the duplicate is acknowledged unrun and must still reply', async () => {
    // The caller's first try gives up before the handler is done; it asks again with the same id, as an idempotent
    // client does. The queue's idempotency record acknowledges the second command unrun: its reply must come all the same.
    const id = 'quote-sku-1';
    await expect(requester.request('quote.price', { sku: 'sku-1' }, { id, timeoutSeconds: 1 })).rejects.toBeInstanceOf(RequestTimeoutError);
    await sleep(2500);
    const reply = await requester.request('quote.price', { sku: 'sku-1' }, { id, timeoutSeconds: 8 }).catch((error: unknown) => error);
    expect(calls).toBe(1);
    expect(reply).toEqual({ cents: 1234 });
  }, 30_000);
});
