import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { describeCommand, faultInjectingSqs } from '../helpers/fault-injecting-sqs.ts';
import { LedgerEntry } from '../helpers/payments-topology.ts';
import { archiveConsumers, gate, sleep, until } from '../helpers/polling-fixtures.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const { setUp, running } = archiveConsumers();

/** The most messages a consumer held unfinished (running or waiting), and waiting, once each arrival has been placed. */
function holdings(consumer: PollingConsumer<any>) {
  const peak = { held: 0, waiting: 0 };
  consumer.on('message_received', () =>
    setImmediate(() => {
      const { inFlight, waiting } = consumer.health();
      peak.held = Math.max(peak.held, inFlight);
      peak.waiting = Math.max(peak.waiting, waiting);
    }),
  );
  return peak;
}

describe('PollingConsumer read-ahead (prefetch)', () => {
  it('holds up to concurrency + prefetch messages, runs at most concurrency, and reads no further ahead', async () => {
    const { consumer, send, archive } = await setUp();
    const release = gate();
    let active = 0;
    let peakActive = 0;
    let done = 0;
    const worker = consumer(
      async () => {
        active += 1;
        peakActive = Math.max(peakActive, active);
        await release.opened;
        active -= 1;
        done += 1;
      },
      { concurrency: 2, prefetch: 3 },
    );
    const peak = holdings(worker);
    await Promise.all(Array.from({ length: 10 }, (_, i) => send(`p-${i}`)));
    worker.start();
    await until(() => active === 2 && worker.health().waiting === 3);
    // Held for a while: no receive goes out for more while every slot and the read-ahead are taken.
    await sleep(1500);
    expect(worker.health()).toMatchObject({ inFlight: 5, waiting: 3 });
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 5, inFlight: 5 });
    release.open();
    await until(() => done === 10);
    expect(peakActive).toBe(2);
    expect(peak).toEqual({ held: 5, waiting: 3 });
  }, 30_000);

  it('extends the visibility of read-ahead messages while they wait, so no other consumer gets them', async () => {
    const { consumer, send, archive } = await setUp();
    const runs: string[] = [];
    // The archive queue's visibility is 2 s; the second message waits 5 s behind the first.
    const slow = async ({ data }: { data: { paymentId: string } }) => {
      runs.push(data.paymentId);
      await sleep(5000);
    };
    const reader = consumer(slow, { concurrency: 1, prefetch: 1 });
    await send('w-1');
    await send('w-2');
    reader.start();
    await until(() => reader.health().waiting === 1);
    const other = consumer(slow, { concurrency: 1 });
    other.start();
    await until(async () => runs.length === 2 && (await queueDepth(clients.sqs, archive.url)).inFlight === 0, 20_000);
    expect(runs.sort()).toEqual(['w-1', 'w-2']);
    expect(other.health().handled).toBe(0);
  }, 30_000);

  it('releases read-ahead messages at once on stop, in one batch, so another consumer gets them while the running task finishes', async () => {
    const { consumer, send } = await setUp();
    const releases: number[] = [];
    const sqs = faultInjectingSqs(clients.sqs, (command) => {
      const { name, input } = describeCommand(command);
      if (name === 'ChangeMessageVisibilityBatchCommand') releases.push((input.Entries as unknown[]).length);
    });
    const first = gate();
    const handledBy: Record<string, string> = {};
    const stopping = consumer(
      async ({ data }) => {
        handledBy[data.paymentId] = 'stopping';
        await first.opened;
      },
      { concurrency: 1, prefetch: 3, sqs, shutdownGraceSeconds: 30 },
    );
    for (let i = 0; i < 4; i += 1) await send(`s-${i}`);
    stopping.start();
    await until(() => stopping.health().waiting === 3);
    const stopped = stopping.stop();
    const other = consumer(async ({ data }) => void (handledBy[data.paymentId] = 'other'));
    other.start();
    // The running task is still held by its gate: the other three reach the other consumer meanwhile.
    await until(() => Object.values(handledBy).filter((by) => by === 'other').length === 3, 5_000);
    expect(releases).toEqual([3]);
    first.open();
    await stopped;
    expect(Object.values(handledBy).filter((by) => by === 'stopping')).toHaveLength(1);
  }, 30_000);

  it('keeps the order of each FIFO group: a message read ahead never overtakes its group', async () => {
    const topology = defineTopology({
      app: 'fp',
      events: { 'ledger.entry': { schema: LedgerEntry } },
      topics: { ledger: { events: ['ledger.entry'], fifo: true } },
      subscribers: {
        books: { topic: 'ledger', events: ['ledger.entry'], handler: { kind: 'worker', timeoutSeconds: 8, concurrency: 2 }, queue: { visibilityTimeoutSeconds: 5 } },
      },
    });
    const stage = uniqueStage();
    const books = (await provisionTopology(resolveTopology(topology, { stage }), clients)).queues.get('books')!;
    const events: string[] = [];
    let active = 0;
    let peakActive = 0;
    const worker = new PollingConsumer(topology, {
      stage,
      queue: 'books',
      sqs: clients.sqs,
      queueUrl: books.url,
      deadLetterQueueUrl: books.deadLetterUrl,
      waitTimeSeconds: 1,
      prefetch: 6,
      logger: createLogger({}, { write: () => undefined }),
      writeMetrics: () => undefined,
      handlers: {
        'ledger.entry': async ({ data }) => {
          active += 1;
          peakActive = Math.max(peakActive, active);
          events.push(`${data.account}${data.sequence}`);
          // Later messages of a group are quicker: out of order, they would finish first.
          await sleep(300 - data.sequence * 50);
          active -= 1;
        },
      },
    });
    running.push(worker as unknown as (typeof running)[number]);
    for (const sequence of [1, 2, 3, 4]) {
      for (const account of ['a', 'b', 'c']) {
        await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: books.url,
            MessageBody: JSON.stringify({ account, sequence }),
            MessageAttributes: { type: { DataType: 'String', StringValue: 'ledger.entry' } },
            MessageGroupId: account,
            MessageDeduplicationId: `${account}${sequence}`,
          }),
        );
      }
    }
    worker.start();
    await until(() => events.length === 12);
    for (const account of ['a', 'b', 'c']) expect(events.filter((event) => event.startsWith(account))).toEqual([1, 2, 3, 4].map((n) => `${account}${n}`));
    expect(peakActive).toBeLessThanOrEqual(2);
  }, 30_000);
});
