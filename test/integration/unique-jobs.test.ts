import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { once } from 'node:events';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionJobLockTable } from '../../lib/local/store-provisioner.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { DynamoDbJobLock } from '../../lib/runtime/consuming/workers/dynamodb-job-lock.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import type { UniqueJobs } from '../../lib/runtime/consuming/workers/unique-jobs.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

type Payments = typeof paymentsTopology;
const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
const running: PollingConsumer<Payments>[] = [];
/** Handlers left hanging by a "crashed" worker; settled at the end so nothing outlives the test. */
const hanging: Array<() => void> = [];

afterEach(async () => {
  for (const finish of hanging.splice(0)) finish();
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

async function setUp() {
  const stage = uniqueStage();
  const resolved = resolveTopology(paymentsTopology, { stage });
  const archive = (await provisionTopology(resolved, clients)).queues.get('archive')!;
  const tableName = (await provisionJobLockTable(resolved, dynamodb))!;
  const worker = (policy: UniqueJobs['policy'], handle: (message: Envelope<{ paymentId: string }>) => unknown) => {
    const consumer = new PollingConsumer(paymentsTopology, {
      stage,
      // One slot: a worker busy with its job receives nothing more.
      concurrency: 1,
      queue: 'archive',
      sqs: clients.sqs,
      queueUrl: archive.url,
      deadLetterQueueUrl: archive.deadLetterUrl,
      waitTimeSeconds: 1,
      shutdownGraceSeconds: 0,
      logger: createLogger({}, { write: () => undefined }),
      writeMetrics: () => undefined,
      random: () => 0,
      // Each worker its own lock client, as two processes would have; the lease outlives the test.
      uniqueJobs: { key: (message) => (message.data as { paymentId: string }).paymentId, policy, lock: new DynamoDbJobLock({ tableName, dynamodb, leaseSeconds: 600 }) },
      handlers: { 'payment.received': (message) => handle(message) },
    });
    running.push(consumer);
    return consumer;
  };
  const send = (paymentId: string) =>
    clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: archive.url,
        MessageBody: JSON.stringify({ paymentId, amountCents: 1 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
      }),
    );
  return { archive, worker, send };
}

/** A handler that never returns on its own (a crashed or stuck worker's), and says when it has started. */
function hangs() {
  let started!: () => void;
  return {
    started: new Promise<void>((resolve) => (started = resolve)),
    handle: () =>
      new Promise<void>((resolve) => {
        hanging.push(resolve);
        started();
      }),
  };
}

describe('unique jobs across a crash', () => {
  it.each(['skip', 'wait'] as const)(
    "runs the redelivery of a job whose first attempt died holding its lock (policy '%s'), rather than dropping or delaying it",
    async (policy) => {
      const { archive, worker, send } = await setUp();
      const hangingHandler = hangs();
      await send('job-1');

      // The first worker takes the job and its lock, then "dies": its handler never returns,
      // so the lock stays held in the table until its lease runs out.
      const first = worker(policy, hangingHandler.handle);
      first.start();
      await hangingHandler.started;
      // Stopping with no grace gives the message back at once, as a crash does once its visibility runs out.
      await first.stop();

      const handled: string[] = [];
      const second = worker(policy, ({ data }) => void handled.push(data.paymentId));
      second.start();
      const [outcome] = await Promise.race([
        once(second, 'message_processed').then(() => ['processed']),
        once(second, 'message_failed').then(([, error]) => ['failed', error]),
      ]);
      expect(outcome).toBe('processed');
      expect(handled).toEqual(['job-1']);
      await second.stop();
      expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 0, inFlight: 0 });
      expect(await queueDepth(clients.sqs, archive.deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
    },
    30_000,
  );

  it('still skips a second message with the key of a job that runs', async () => {
    const { archive, worker, send } = await setUp();
    await send('job-2');
    const hangingHandler = hangs();
    const first = worker('skip', hangingHandler.handle);
    first.start();
    await hangingHandler.started;

    const handled: string[] = [];
    const second = worker('skip', ({ data }) => void handled.push(data.paymentId));
    second.start();
    await send('job-2');
    await once(second, 'message_processed');
    expect(handled).toEqual([]);
    await second.stop();
    // Only the running job's message is left, in flight with the first worker.
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 0, inFlight: 1 });
  }, 30_000);
});
