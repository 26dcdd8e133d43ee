import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionJobLockTable } from '../../lib/local/store-provisioner.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { DynamoDbJobLock } from '../../lib/runtime/consuming/workers/dynamodb-job-lock.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

/*
 * A job's lock that cannot be released at once (the table did not answer) must still be released: left held
 * until its lease runs out (an hour and a minute for the example's analytics worker), it would make 'skip'
 * delete every later message of its key, unrun.
 */

const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
const running: PollingConsumer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

/** The emulator's DynamoDB client, except that the first DeleteItem fails as it does when the SDK's own retries give up (an outage of a second or two). */
function firstDeleteFails(real: DynamoDBClient): DynamoDBClient {
  let failed = false;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown, options?: unknown) => {
        if (command instanceof DeleteItemCommand && !failed) {
          failed = true;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        }
        return Reflect.apply(target.send, target, [command, options]);
      };
    },
  });
}

describe('unique jobs after a failed lock release', () => {
  it("runs a new job of a key whose previous job has finished, though releasing that job's lock failed once", async () => {
    const stage = uniqueStage();
    const resolved = resolveTopology(paymentsTopology, { stage });
    const archive = (await provisionTopology(resolved, clients)).queues.get('archive')!;
    const tableName = (await provisionJobLockTable(resolved, dynamodb))!;
    const handled: string[] = [];
    const consumer = new PollingConsumer(paymentsTopology, {
      stage,
      concurrency: 1,
      queue: 'archive',
      sqs: clients.sqs,
      queueUrl: archive.url,
      deadLetterQueueUrl: archive.deadLetterUrl,
      waitTimeSeconds: 1,
      logger: createLogger({}, { write: () => undefined }),
      writeMetrics: () => undefined,
      random: () => 0,
      uniqueJobs: {
        key: (message) => (message.data as { paymentId: string }).paymentId.split('#')[0],
        policy: 'skip',
        lock: new DynamoDbJobLock({ tableName, dynamodb: firstDeleteFails(dynamodb), leaseSeconds: 3660 }),
      },
      handlers: { 'payment.received': (message) => void handled.push(message.data.paymentId) },
    });
    running.push(consumer as PollingConsumer);
    const send = (paymentId: string) =>
      clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: archive.url,
          MessageBody: JSON.stringify({ paymentId, amountCents: 1 }),
          MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
        }),
      );
    const processed: string[] = [];
    consumer.on('message_processed', (message) => processed.push(message.messageId));
    consumer.start();

    await send('order-1#first');
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await until(() => processed.length === 1);
    expect(handled).toEqual(['order-1#first']);

    // The first job is over; a later job with the same key must run, not be skipped as a duplicate of it.
    await send('order-1#second');
    await until(() => processed.length === 2);
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(handled).toEqual(['order-1#first', 'order-1#second']);
  }, 40_000);
});
