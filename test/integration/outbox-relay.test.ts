import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteTopicCommand } from '@aws-sdk/client-sns';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionOutboxTable } from '../../lib/local/store-provisioner.ts';
import { replaySendDeadLetters } from '../../lib/operations/send-dead-letter-replay.ts';
import { DynamoDbOutboxStore } from '../../lib/runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { JsonLinesSendDeadLetter } from '../../lib/runtime/publishing/outbox/json-lines-send-dead-letter.ts';
import { Outbox } from '../../lib/runtime/publishing/outbox/outbox.ts';
import { OutboxRelay } from '../../lib/runtime/publishing/outbox/outbox-relay.ts';
import { createOutboxStreamHandler } from '../../lib/runtime/publishing/outbox/outbox-stream-handler.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { consumeInOrder, receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });

async function setUp() {
  const stage = uniqueStage();
  const topology = resolveTopology(paymentsTopology, { stage });
  const provisioned = await provisionTopology(topology, clients);
  const store = new DynamoDbOutboxStore({ tableName: await provisionOutboxTable(topology, dynamodb), dynamodb });
  const publisher = new Publisher(paymentsTopology, { source: 'payments-service', stage, ...clients });
  return { stage, topology, provisioned, store, publisher, outbox: new Outbox(publisher, store) };
}

/** The stream event DynamoDB would deliver for the table's items as they are now: one INSERT each, in position order. */
async function insertsOf(store: DynamoDbOutboxStore): Promise<DynamoDBStreamEvent> {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: store.tableName }));
  const sorted = Items.sort((a, b) => (a.position!.S! < b.position!.S! ? -1 : 1));
  return { Records: sorted.map((item, index) => ({ eventName: 'INSERT', dynamodb: { NewImage: item as never, SequenceNumber: String(1000 + index) } })) };
}

const bodies = (messages: Array<{ Body?: string }>) => messages.map((message) => JSON.parse(message.Body!) as { id: string; data: { paymentId: string; amountCents: number } });

describe('the outbox stream handler', () => {
  it('relays the pending records of a stream batch, skipping removals and dead letters, and writes its metric', async () => {
    const { store, outbox, provisioned } = await setUp();
    await outbox.transactWrite([], [1, 2].map((amountCents) => ({ type: 'payment.received' as const, data: { paymentId: 'p-1', amountCents }, aggregateKey: 'p-1' })));
    const event = await insertsOf(store);
    event.Records.push({ eventName: 'REMOVE', dynamodb: { Keys: {}, SequenceNumber: '2000' } });
    event.Records.push({ eventName: 'MODIFY', dynamodb: { NewImage: { ...event.Records[0]!.dynamodb!.NewImage!, status: { S: 'dead-lettered' } }, SequenceNumber: '2001' } });
    const lines: string[] = [];
    const handler = createOutboxStreamHandler({ ...clients, tableName: store.tableName, store, writeMetrics: (line) => lines.push(line), retryBaseMs: 10 });

    expect(await handler(event, { getRemainingTimeInMillis: () => 60_000 })).toEqual({ batchItemFailures: [] });
    const received = bodies(await consumeInOrder(clients.sqs, provisioned.queues.get('accounting')!.url, 2));
    expect(received.map((message) => message.data.amountCents).sort()).toEqual([1, 2]);
    expect(await store.pending(100)).toEqual([]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ Outbox: store.tableName, Sent: 2, SendsDeadLettered: 0, Unsettled: 0 });
  });

  it('does not send again a record of a retried stream batch that an earlier attempt sent (the shard is retried from its first failure)', async () => {
    const { store, outbox, provisioned } = await setUp();
    await outbox.transactWrite([], [{ type: 'payment.received' as const, data: { paymentId: 'p-1', amountCents: 1 }, aggregateKey: 'p-1' }]);
    const event = await insertsOf(store);
    const handler = createOutboxStreamHandler({ ...clients, tableName: store.tableName, store, writeMetrics: () => undefined, retryBaseMs: 10 });
    expect(await handler(event, { getRemainingTimeInMillis: () => 60_000 })).toEqual({ batchItemFailures: [] });
    // Lambda hands the same records again after another record of the batch failed: this one is sent and gone from the table.
    expect(await handler(event, { getRemainingTimeInMillis: () => 60_000 })).toEqual({ batchItemFailures: [] });
    const received = await receiveAvailable(clients.sqs, provisioned.queues.get('accounting')!.url, { expected: 2, waitSeconds: 2 });
    expect(received).toHaveLength(1);
  });

  it('reports a record it could not settle and every later record of its key as failures, and sends the other keys', async () => {
    const { store, outbox, provisioned } = await setUp();
    const written = await outbox.transactWrite(
      [],
      [
        ...[1, 2, 3].map((amountCents) => ({ type: 'payment.received' as const, data: { paymentId: 'p-a', amountCents }, aggregateKey: 'p-a' })),
        { type: 'payment.received' as const, data: { paymentId: 'p-b', amountCents: 1 }, aggregateKey: 'p-b' },
      ],
    );
    const second = written[1]!;
    const failing = {
      deadLetter: store.deadLetter.bind(store),
      deadLetters: store.deadLetters.bind(store),
      markSent: async (records: Parameters<typeof store.markSent>[0]) => {
        if (records.some((record) => record.id === second.id)) throw new Error('table unreachable');
        await store.markSent(records);
      },
    };
    const event = await insertsOf(store);
    const sequenceOf = (id: string) => event.Records.find((record) => record.dynamodb!.NewImage!.id!.S === id)!.dynamodb!.SequenceNumber!;
    const handler = createOutboxStreamHandler({ ...clients, tableName: store.tableName, store: failing, writeMetrics: () => {} });

    const response = await handler(event);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([sequenceOf(second.id), sequenceOf(written[2]!.id)].sort());
    const received = bodies(await consumeInOrder(clients.sqs, provisioned.queues.get('accounting')!.url, 3));
    // p-a's third message waits behind its second, sent but not marked so: it was not sent.
    expect(received.map((message) => `${message.data.paymentId}:${message.data.amountCents}`).sort()).toEqual(['p-a:1', 'p-a:2', 'p-b:1']);
    expect((await store.pending(100)).map((record) => record.id)).toEqual([second.id, written[2]!.id]);
  });
});

describe('a Publisher with a send dead-letter', () => {
  it('keeps what publishMany could not send in a JSON-lines file, which replay sends once the topic is back', async () => {
    const { stage, provisioned } = await setUp();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-sdl-')), 'unsent.jsonl');
    const deadLetter = new JsonLinesSendDeadLetter(file);
    const publisher = new Publisher(paymentsTopology, { source: 'payments-script', stage, ...clients, sendDeadLetter: deadLetter, retryBaseMs: 10 });
    await clients.sns.send(new DeleteTopicCommand({ TopicArn: provisioned.topicArns.get('payments')! }));

    const report = await publisher.publishMany([
      { type: 'payment.received', data: { paymentId: 'p-1', amountCents: 1 } },
      { type: 'payment.received', data: { paymentId: 'p-2', amountCents: 2 } },
    ]);
    expect(report).toMatchObject({ sent: 0, failed: 2, deadLettered: 2 });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.id)).toEqual(report.results.map((result) => result.id));
    expect(lines[0]).toMatchObject({ status: 'dead-lettered', type: 'payment.received' });
    expect(lines[0].reason).toMatch(/topic pay-.*-payments does not exist/);

    const again = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
    const replay = await replaySendDeadLetters(deadLetter, new OutboxRelay({ ...clients, store: deadLetter }));
    expect(replay.sent).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).toBe('');
    const received = bodies(await consumeInOrder(clients.sqs, again.queues.get('accounting')!.url, 2));
    expect(received.map((message) => message.id).sort()).toEqual(report.results.map((result) => result.id).sort());
  });

  it('keeps it in the outbox table when given the store, and reports nothing kept when all was sent', async () => {
    const { stage, provisioned, store } = await setUp();
    const publisher = new Publisher(paymentsTopology, { source: 'payments-service', stage, ...clients, sendDeadLetter: store, retryBaseMs: 10 });
    expect(await publisher.publishMany([{ type: 'payment.received', data: { paymentId: 'p-0', amountCents: 1 } }])).toMatchObject({ sent: 1, deadLettered: 0 });
    await receiveAvailable(clients.sqs, provisioned.queues.get('accounting')!.url, { expected: 1 });

    await clients.sns.send(new DeleteTopicCommand({ TopicArn: provisioned.topicArns.get('payments')! }));
    const report = await publisher.publishMany([{ type: 'payment.refunded', data: { paymentId: 'p-3', amountCents: 3 } }]);
    expect(report).toMatchObject({ failed: 1, deadLettered: 1 });
    const [kept] = await store.deadLetters();
    expect(kept).toMatchObject({ id: report.results[0]!.id, status: 'dead-lettered', attempts: 1 });
  });
});
