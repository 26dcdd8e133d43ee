import { SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { MAX_STOP_COPIES, STOP_COPIES_ATTRIBUTE, STOP_COPY_OF_ATTRIBUTE } from '../../lib/runtime/consuming/polling/stop-copies.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { InMemoryJobLock } from '../../lib/runtime/consuming/workers/job-lock.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { LedgerEntry } from '../helpers/payments-topology.ts';
import { archiveConsumers, gate, sleep } from '../helpers/polling-fixtures.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const { setUp, running } = archiveConsumers();

const booksTopology = defineTopology({
  app: 'fw',
  events: { 'ledger.entry': { schema: LedgerEntry } },
  topics: { ledger: { events: ['ledger.entry'], fifo: true } },
  subscribers: {
    books: { topic: 'ledger', events: ['ledger.entry'], handler: { kind: 'worker', timeoutSeconds: 8 }, queue: { maxReceiveCount: 3, visibilityTimeoutSeconds: 3 } },
  },
});

const type = { DataType: 'String', StringValue: 'payment.received' };
const body = JSON.stringify({ paymentId: 'p-1', amountCents: 1 });

/** Receives the message `times` times and gives it back at once: its receive count grows as a stopped task's would. */
async function receiveTimes(url: string, times: number): Promise<void> {
  for (let time = 0; time < times; time++) expect(await receiveAvailable(clients.sqs, url, { visibilitySeconds: 0, expected: 1 })).toHaveLength(1);
}

/** Starts a consumer whose handler runs until it is signalled, waits for the job to start, and stops it past its grace. */
async function stopMidJob(consumer: (handle: (message: unknown, signal?: AbortSignal) => unknown, options: object) => PollingConsumer<any>): Promise<void> {
  const started = gate();
  const task = consumer((_, signal) => {
    started.open();
    return new Promise((resolve) => signal?.addEventListener('abort', resolve));
  }, { shutdownGraceSeconds: 0.2 });
  task.start();
  await started.opened;
  await task.stop('signal');
}

describe('a stop on a job whose next receive would be past its last attempt', () => {
  it('sends it again, same body and attributes plus a count of such copies, and deletes the original', async () => {
    const { archive, consumer, logs } = await setUp();
    const { MessageId } = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: archive.url, MessageBody: body, MessageAttributes: { type, tenant: { DataType: 'String', StringValue: 't-1' } } }),
    );
    // The archive queue allows 3 attempts: the stop comes on the third receive.
    await receiveTimes(archive.url, 2);
    await stopMidJob(consumer);
    const [copy, ...rest] = await receiveAvailable(clients.sqs, archive.url, { visibilitySeconds: 0, expected: 1 });
    expect(rest).toEqual([]);
    expect(copy!.MessageId).not.toBe(MessageId);
    expect(copy!.Body).toBe(body);
    expect(copy!.Attributes!.ApproximateReceiveCount).toBe('1');
    expect(copy!.MessageAttributes).toEqual({
      type,
      tenant: { DataType: 'String', StringValue: 't-1' },
      [STOP_COPIES_ATTRIBUTE]: { DataType: 'Number', StringValue: '1' },
      [STOP_COPY_OF_ATTRIBUTE]: { DataType: 'String', StringValue: MessageId },
    });
    expect(logs.some((line) => line.message === 'sent a stopped message again so that the stop does not count as an attempt')).toBe(true);
  }, 30_000);

  it('releases it as it is after MAX_STOP_COPIES copies, or when it has no room for the count', async () => {
    const { archive, consumer } = await setUp();
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`a${index}`, { DataType: 'String', StringValue: 'x' }]));
    const cases: Array<Record<string, MessageAttributeValue>> = [
      { type, [STOP_COPIES_ATTRIBUTE]: { DataType: 'Number', StringValue: String(MAX_STOP_COPIES) } },
      { type, ...nine },
    ];
    for (const attributes of cases) {
      const { MessageId } = await clients.sqs.send(new SendMessageCommand({ QueueUrl: archive.url, MessageBody: body, MessageAttributes: attributes }));
      await receiveTimes(archive.url, 2);
      await stopMidJob(consumer);
      const [same] = await receiveAvailable(clients.sqs, archive.url, { visibilitySeconds: 30, expected: 1 });
      expect([same!.MessageId, same!.Attributes!.ApproximateReceiveCount]).toEqual([MessageId, '4']);
      expect(Object.keys(same!.MessageAttributes!)).toHaveLength(Object.keys(attributes).length);
    }
  }, 60_000);

  it('on a FIFO queue, releases it as it is: a copy would go behind the messages of its group sent after it', async () => {
    const stage = uniqueStage();
    const books = (await provisionTopology(resolveTopology(booksTopology, { stage }), clients)).queues.get('books')!;
    const { MessageId } = await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: books.url,
        MessageBody: JSON.stringify({ account: 'a', sequence: 1 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'ledger.entry' } },
        MessageGroupId: 'a',
        MessageDeduplicationId: 'a1',
      }),
    );
    await receiveTimes(books.url, 2);
    const consumer = (handle: (message: unknown, signal?: AbortSignal) => unknown, options: object) => {
      const created = new PollingConsumer(booksTopology, {
        stage,
        queue: 'books',
        sqs: clients.sqs,
        queueUrl: books.url,
        deadLetterQueueUrl: books.deadLetterUrl,
        waitTimeSeconds: 1,
        logger: createLogger({}, { write: () => undefined }),
        writeMetrics: () => undefined,
        handlers: { 'ledger.entry': (message, context) => handle(message, context.signal) },
        ...options,
      });
      running.push(created as unknown as (typeof running)[number]);
      return created;
    };
    await stopMidJob(consumer);
    const [same] = await receiveAvailable(clients.sqs, books.url, { visibilitySeconds: 30, expected: 1 });
    expect([same!.MessageId, same!.Attributes!.ApproximateReceiveCount]).toEqual([MessageId, '4']);
  }, 30_000);

  it('runs a unique job\'s copy, which is the same job, though the stopped attempt still holds its lock', async () => {
    // Two workers share a job lock (a DynamoDB lock in a deployment). The stopped worker's handler outlives the stop (it
    // does not honour its signal; the process exits with the lock held under its lease). A plain release came back with
    // the same SQS message id, which takes its own lock back and runs; the copy has a new id: it must not be skipped as
    // "another message with the same job key", or the job is gone (its original deleted, its copy skipped and deleted).
    const { archive, consumer } = await setUp();
    const lock = new InMemoryJobLock();
    const uniqueJobs = { key: () => 'nightly-export', policy: 'skip' as const, lock };
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: archive.url, MessageBody: body, MessageAttributes: { type } }));
    await receiveTimes(archive.url, 2);
    const started = gate();
    const stopped = consumer(() => {
      started.open();
      return new Promise(() => undefined);
    }, { uniqueJobs, shutdownGraceSeconds: 0.2, settleTimeoutSeconds: 0.2 });
    stopped.start();
    await started.opened;
    await stopped.stop('signal');
    let runs = 0;
    consumer(() => {
      runs += 1;
    }, { uniqueJobs }).start();
    await sleep(4000);
    const left = await receiveAvailable(clients.sqs, archive.url, { visibilitySeconds: 0 });
    const deadLetters = await receiveAvailable(clients.sqs, archive.deadLetterUrl, { visibilitySeconds: 0 });
    // Ran by the second worker, still on its queue for a later receive, or at worst a dead letter: not gone.
    expect({ runs, left: left.length, deadLetters: deadLetters.length }).not.toEqual({ runs: 0, left: 0, deadLetters: 0 });
  }, 30_000);
});
