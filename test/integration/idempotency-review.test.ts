import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { provisionIdempotencyTable } from '../../lib/local/store-provisioner.ts';
import { DynamoDbIdempotencyStore } from '../../lib/runtime/consuming/idempotency/dynamodb-idempotency-store.ts';
import { idempotent } from '../../lib/runtime/consuming/idempotency/idempotent-handler.ts';
import { QueueRuntime } from '../../lib/runtime/consuming/queue-runtime.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
const silent = createLogger({}, { write: () => undefined });

const topology = defineTopology({
  ...paymentsTopology,
  subscribers: { ...paymentsTopology.subscribers, accounting: { ...paymentsTopology.subscribers!.accounting, idempotency: {} } },
});

/**
 * The real client, except that the first TransactWriteItems is committed and then answered with a timeout: the
 * answer of a call that landed was lost on the way back (a socket timeout, a Lambda frozen mid-response).
 */
function losingFirstCommitAnswer(real: DynamoDBClient): DynamoDBClient {
  let lost = false;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { constructor: { name: string } }, options?: unknown) => {
        const result = await Reflect.apply(target.send, target, [command, options]);
        if (!lost && command.constructor.name === 'TransactWriteItemsCommand') {
          lost = true;
          throw Object.assign(new Error('socket timed out after the request was sent'), { name: 'TimeoutError', $metadata: {} });
        }
        return result;
      };
    },
  });
}

const delivery = (messageId: string, type: string, paymentId: string, receiveCount = 1) => ({
  messageId,
  receiptHandle: 'r',
  body: JSON.stringify({ paymentId, amountCents: 900 }),
  attributes: { type },
  receiveCount,
});

async function setUp() {
  const stage = uniqueStage();
  const resolved = resolveTopology(topology, { stage });
  const tableName = (await provisionIdempotencyTable(resolved, dynamodb))!;
  const ledger = `${stage}-ledger`;
  await dynamodb.send(
    new CreateTableCommand({ TableName: ledger, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  return { stage, tableName, ledger };
}

describe('idempotency review', () => {
  it('writeWithRecord: a commit that landed but whose answer was lost is not committed a second time (the effect happens once)', async () => {
    const { stage, tableName, ledger } = await setUp();
    let calls = 0;
    const { processor } = new QueueRuntime(topology, {
      stage,
      queue: 'accounting',
      handlers: {
        'payment.received': (message, context) => {
          calls += 1;
          // Not idempotent by itself: adds 10 points each time it is applied.
          context.idempotency!.writeWithRecord({
            Update: { TableName: ledger, Key: { id: { S: message.data.paymentId } }, UpdateExpression: 'ADD points :p', ExpressionAttributeValues: { ':p': { N: '10' } } },
          });
        },
        'payment.refunded': () => undefined,
      },
      sqs: clients.sqs,
      logger: silent,
      writeMetrics: () => undefined,
      idempotencyStore: new DynamoDbIdempotencyStore({ tableName, dynamodb: losingFirstCommitAnswer(dynamodb) }),
    });
    const first = await processor.process(delivery('m-1', 'payment.received', 'p-1'));
    expect(first).toMatchObject({ status: 'processed' });
    // A redelivery changes nothing either.
    expect(await processor.process(delivery('m-1', 'payment.received', 'p-1', 2))).toMatchObject({ status: 'processed', duplicate: true });
    expect(calls).toBe(1);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: ledger, Key: { id: { S: 'p-1' } }, ConsistentRead: true }));
    expect(Item?.points?.N).toBe('10');
  });

  it('a key function that gives two types of one queue the same key does not skip the second type as handled before', async () => {
    const { stage, tableName } = await setUp();
    const handled: string[] = [];
    const byPayment = { key: (message: { data: { paymentId: string } }) => message.data.paymentId };
    const { processor } = new QueueRuntime(topology, {
      stage,
      queue: 'accounting',
      handlers: {
        'payment.received': idempotent((message) => void handled.push(`received ${message.data.paymentId}`), byPayment),
        'payment.refunded': idempotent((message) => void handled.push(`refunded ${message.data.paymentId}`), byPayment),
      },
      sqs: clients.sqs,
      logger: silent,
      writeMetrics: () => undefined,
      idempotencyStore: new DynamoDbIdempotencyStore({ tableName, dynamodb }),
    });
    expect(await processor.process(delivery('m-1', 'payment.received', 'p-1'))).toMatchObject({ status: 'processed' });
    expect(await processor.process(delivery('m-2', 'payment.refunded', 'p-1'))).toMatchObject({ status: 'processed' });
    // The same refund delivered again is still one refund.
    expect(await processor.process(delivery('m-2', 'payment.refunded', 'p-1', 2))).toMatchObject({ status: 'processed', duplicate: true });
    expect(handled).toEqual(['received p-1', 'refunded p-1']);
  });
});
