import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { faultInjectingSqs } from '../helpers/fault-injecting-sqs.ts';
import { LedgerEntry } from '../helpers/payments-topology.ts';
import { archiveConsumers, gate, sleep, until } from '../helpers/polling-fixtures.ts';
import { queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const { setUp, running } = archiveConsumers();

const booksTopology = defineTopology({
  app: 'fw',
  events: { 'ledger.entry': { schema: LedgerEntry } },
  topics: { ledger: { events: ['ledger.entry'], fifo: true } },
  subscribers: {
    books: {
      topic: 'ledger',
      events: ['ledger.entry'],
      handler: { kind: 'worker', timeoutSeconds: 8, concurrency: 6 },
      queue: { maxReceiveCount: 3, backoff: { baseSeconds: 1, capSeconds: 1 }, visibilityTimeoutSeconds: 3 },
    },
  },
});

/** Stops of a task that holds messages, as ECS scale-in makes them (fault review 22): nothing lost, nothing run twice to its end. */
describe('the stop path under scale-in (fault review 22)', () => {
  it('FIFO: a task stopped past its grace mid-group gives the whole group back, in order, to the next task', async () => {
    const stage = uniqueStage();
    const provisioned = await provisionTopology(resolveTopology(booksTopology, { stage }), clients);
    const books = provisioned.queues.get('books')!;
    const events: string[] = [];
    const consumer = (block: boolean) => {
      const created = new PollingConsumer(booksTopology, {
        stage,
        queue: 'books',
        sqs: clients.sqs,
        queueUrl: books.url,
        deadLetterQueueUrl: books.deadLetterUrl,
        waitTimeSeconds: 1,
        shutdownGraceSeconds: 0.3,
        logger: createLogger({}, { write: () => undefined }),
        writeMetrics: () => undefined,
        random: () => 0,
        handlers: {
          'ledger.entry': async ({ data }, context) => {
            const name = `${data.account}${data.sequence}`;
            events.push(`start ${name}`);
            if (block) await new Promise((resolve) => context.signal?.addEventListener('abort', resolve));
            else await sleep(50);
            events.push(`end ${name}`);
          },
        },
      });
      running.push(created as unknown as (typeof running)[number]);
      return created;
    };
    for (const sequence of [1, 2, 3]) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: books.url,
          MessageBody: JSON.stringify({ account: 'a', sequence }),
          MessageAttributes: { type: { DataType: 'String', StringValue: 'ledger.entry' } },
          MessageGroupId: 'a',
          MessageDeduplicationId: `a${sequence}`,
        }),
      );
    }
    const first = consumer(true);
    first.start();
    await until(() => events.includes('start a1'));
    await first.stop('signal');
    events.length = 0;
    const second = consumer(false);
    second.start();
    await until(() => events.filter((event) => event.startsWith('end')).length === 3);
    expect(events).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    await until(async () => (await queueDepth(clients.sqs, books.url)).inFlight === 0);
    expect(await queueDepth(clients.sqs, books.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await receiveAvailable(clients.sqs, books.deadLetterUrl, { visibilitySeconds: 0 })).toEqual([]);
  }, 60_000);

  it('releases a running message whose visibility extension is under way when the grace ends: visible at once, not after the extension', async () => {
    const { consumer, send, archive } = await setUp();
    const extending = gate();
    const sqs = faultInjectingSqs(clients.sqs, async (command) => {
      if (command instanceof ChangeMessageVisibilityCommand && (command.input.VisibilityTimeout ?? 0) > 0) {
        extending.open();
        await sleep(800);
      }
      return undefined;
    });
    const started = gate();
    const worker = consumer(
      (_, signal) => {
        started.open();
        return new Promise((resolve) => signal?.addEventListener('abort', resolve));
      },
      { sqs, shutdownGraceSeconds: 0.1 },
    );
    await send('extending');
    worker.start();
    await started.opened;
    await extending.opened;
    await worker.stop('signal');
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 1, inFlight: 0 });
  }, 30_000);

  it('deletes a message whose handler finished as the grace ended, its delete slower than the settle time', async () => {
    const { consumer, send, archive } = await setUp();
    const sqs = faultInjectingSqs(clients.sqs, async (command) => {
      if (command instanceof DeleteMessageBatchCommand) await sleep(1500);
      return undefined;
    });
    let runs = 0;
    const started = gate();
    const worker = consumer(
      async () => {
        runs += 1;
        started.open();
        await sleep(250);
      },
      { sqs, shutdownGraceSeconds: 0.3, settleTimeoutSeconds: 0.5 },
    );
    await send('finishing');
    worker.start();
    await started.opened;
    await worker.stop('signal');
    await sleep(2500);
    expect(runs).toBe(1);
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 0, inFlight: 0 });
  }, 30_000);

  it('releases read-ahead messages and the running one when stopped, and none of them is lost', async () => {
    const { consumer, send, archive } = await setUp();
    const started = gate();
    const worker = consumer(
      (_, signal) => {
        started.open();
        return new Promise((resolve) => signal?.addEventListener('abort', resolve));
      },
      { concurrency: 1, prefetch: 3, shutdownGraceSeconds: 0.2 },
    );
    for (let i = 0; i < 4; i++) await send(`p-${i}`);
    worker.start();
    await started.opened;
    await until(() => worker.health().waiting === 3);
    await worker.stop('signal');
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 4, inFlight: 0 });
    const done: string[] = [];
    const next = consumer(({ data }) => void done.push(data.paymentId));
    next.start();
    await until(() => done.length === 4);
    expect(done.sort()).toEqual(['p-0', 'p-1', 'p-2', 'p-3']);
  }, 30_000);
});
