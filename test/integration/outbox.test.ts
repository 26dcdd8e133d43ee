import { CreateTableCommand, DynamoDBClient, GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { DeleteTopicCommand } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { provisionTopology, type ProvisionedTopology } from '../../lib/local/provisioner.ts';
import { provisionOutboxTable } from '../../lib/local/store-provisioner.ts';
import { replaySendDeadLetters } from '../../lib/operations/send-dead-letter-replay.ts';
import { DynamoDbOutboxStore } from '../../lib/runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { Outbox } from '../../lib/runtime/publishing/outbox/outbox.ts';
import { OutboxTransactionFailedError } from '../../lib/runtime/publishing/outbox/outbox-errors.ts';
import { OutboxPoller } from '../../lib/runtime/publishing/outbox/outbox-poller.ts';
import type { OutboxRecord } from '../../lib/runtime/publishing/outbox/outbox-record.ts';
import { OutboxRelay } from '../../lib/runtime/publishing/outbox/outbox-relay.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { consumeInOrder, receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });

/** A stage of its own: its topology provisioned, its outbox table, and a table of business data. */
async function setUp(): Promise<{ stage: string; provisioned: ProvisionedTopology; store: DynamoDbOutboxStore; outbox: Outbox<typeof paymentsTopology>; ordersTable: string }> {
  const stage = uniqueStage();
  const topology = resolveTopology(paymentsTopology, { stage });
  const provisioned = await provisionTopology(topology, clients);
  const store = new DynamoDbOutboxStore({ tableName: await provisionOutboxTable(topology, dynamodb), dynamodb });
  const ordersTable = `${topology.prefix}-payments`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: ordersTable,
      AttributeDefinitions: [{ AttributeName: 'paymentId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'paymentId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const publisher = new Publisher(paymentsTopology, { source: 'payments-service', stage, ...clients });
  return { stage, provisioned, store, outbox: new Outbox(publisher, store), ordersTable };
}

const newPayment = (table: string, paymentId: string): TransactWriteItem => ({
  Put: { TableName: table, Item: { paymentId: { S: paymentId } }, ConditionExpression: 'attribute_not_exists(paymentId)' },
});

const relayOf = (store: DynamoDbOutboxStore) => new OutboxRelay({ ...clients, store, retryBaseMs: 10 });
const idsIn = (messages: Array<{ Body?: string }>) => messages.map((message) => (JSON.parse(message.Body!) as { id: string }).id);

describe('the transactional outbox', () => {
  let world: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    world = await setUp();
  });

  it('writes nothing and publishes nothing when the transaction fails, and says which item failed', async () => {
    const { outbox, store, ordersTable, provisioned } = world;
    await outbox.transactWrite([newPayment(ordersTable, 'p-taken')], [{ type: 'payment.received', data: { paymentId: 'p-taken', amountCents: 1 } }]);
    await new OutboxPoller({ ...clients, store }).relayOnce();
    await consumeInOrder(clients.sqs, provisioned.queues.get('accounting')!.url, 1);

    const error = await outbox
      .transactWrite([newPayment(ordersTable, 'p-taken')], [{ type: 'payment.received', data: { paymentId: 'p-taken', amountCents: 2 }, options: { id: 'never-sent' } }])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutboxTransactionFailedError);
    expect((error as Error).message).toMatch(/not committed.*item \[0\]: ConditionalCheckFailed/);
    expect(await store.pending(100)).toEqual([]);
    const report = await new OutboxPoller({ ...clients, store }).relayOnce();
    expect(report.sent).toEqual([]);
    expect(await receiveAvailable(clients.sqs, provisioned.queues.get('accounting')!.url, { visibilitySeconds: 0 })).toEqual([]);
  });

  it('publishes every committed message at least once when the relay is killed mid-batch', async () => {
    const { outbox, store, ordersTable, provisioned } = world;
    const written: OutboxRecord[] = [];
    for (const paymentId of ['p-1', 'p-2', 'p-3']) {
      written.push(
        ...(await outbox.transactWrite(
          [newPayment(ordersTable, paymentId)],
          [1, 2, 3].map((amountCents) => ({ type: 'payment.received' as const, data: { paymentId, amountCents }, aggregateKey: paymentId })),
        )),
      );
    }
    // The relay "dies" after its first round was published: the records it sent are never marked sent.
    const controller = new AbortController();
    const dying = new OutboxRelay({
      ...clients,
      store: {
        ...store,
        deadLetter: (records) => store.deadLetter(records),
        deadLetters: (options) => store.deadLetters(options),
        markSent: async () => {
          controller.abort();
          throw new Error('killed');
        },
      },
    });
    const first = await dying.relay(await store.pending(100), controller.signal);
    expect(first.sent).toEqual([]);
    expect(first.unsettled).toHaveLength(9);
    expect(await store.pending(100)).toHaveLength(9);

    const second = await relayOf(store).relay(await store.pending(100));
    expect(second.sent).toHaveLength(9);
    expect(await store.pending(100)).toEqual([]);
    const received = await consumeInOrder(clients.sqs, provisioned.queues.get('accounting')!.url, 12, 15_000);
    expect(new Set(idsIn(received))).toEqual(new Set(written.map((record) => record.id)));
    // Each payment's messages arrived in the order written on the fresh relay's pass.
    const byPayment = (paymentId: string) =>
      received.map((message) => JSON.parse(message.Body!) as { data: { paymentId: string; amountCents: number } }).filter((m) => m.data.paymentId === paymentId);
    for (const paymentId of ['p-1', 'p-2', 'p-3']) expect(byPayment(paymentId).slice(-3).map((m) => m.data.amountCents)).toEqual([1, 2, 3]);
  });
});

describe('the send dead-letter', () => {
  it('keeps a message to a deleted topic with its reason, and replays it once the topic is back', async () => {
    const { stage, store, outbox, ordersTable, provisioned } = await setUp();
    await clients.sns.send(new DeleteTopicCommand({ TopicArn: provisioned.topicArns.get('payments')! }));
    const [record] = await outbox.transactWrite([newPayment(ordersTable, 'p-9')], [{ type: 'payment.refunded', data: { paymentId: 'p-9', amountCents: 5 } }]);

    const report = await relayOf(store).relay(await store.pending(100));
    expect(report.deadLettered.map((kept) => kept.id)).toEqual([record!.id]);
    const [kept] = await store.deadLetters();
    expect(kept).toMatchObject({ id: record!.id, status: 'dead-lettered', attempts: 1 });
    expect(kept!.reason).toMatch(/topic pay-.*-payments does not exist/);
    expect(await store.pending(100)).toEqual([]);

    const again = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
    const replay = await replaySendDeadLetters(store, relayOf(store), [record!.id]);
    expect(replay.sent.map((sent) => sent.id)).toEqual([record!.id]);
    expect(await store.deadLetters()).toEqual([]);
    const [delivered] = await consumeInOrder(clients.sqs, again.queues.get('fraud')!.url, 1);
    expect(idsIn([delivered!])).toEqual([record!.id]);
    const item = await dynamodb.send(new GetItemCommand({ TableName: store.tableName, Key: { aggregateKey: { S: kept!.aggregateKey }, position: { S: kept!.position } } }));
    expect(item.Item).toBeUndefined();
  });

  it('replays nothing when an id asked for is not there', async () => {
    const { store } = await setUp();
    const replay = await replaySendDeadLetters(store, relayOf(store), ['no-such-id']);
    expect(replay).toMatchObject({ missing: ['no-such-id'], sent: [] });
  });
});
