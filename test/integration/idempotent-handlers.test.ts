import { CreateTableCommand, DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionIdempotencyTable } from '../../lib/local/store-provisioner.ts';
import { DynamoDbIdempotencyStore } from '../../lib/runtime/consuming/idempotency/dynamodb-idempotency-store.ts';
import { IdempotencyStoreUnavailableError } from '../../lib/runtime/consuming/idempotency/idempotency-errors.ts';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { QueueRuntime } from '../../lib/runtime/consuming/queue-runtime.ts';
import type { LocalEventSource as Source, PollResult } from '../../lib/local/local-event-source.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { faultInjectingSqs, describeCommand } from '../helpers/fault-injecting-sqs.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
const silent = createLogger({}, { write: () => undefined });

/** Accounting's messages come back 2 s after a lost delete; with `idempotency`, or without for the contrast. */
function topologyWith(idempotency: boolean) {
  const { accounting } = paymentsTopology.subscribers!;
  return defineTopology({
    ...paymentsTopology,
    subscribers: {
      ...paymentsTopology.subscribers,
      accounting: {
        ...accounting,
        handler: { kind: 'lambda', entry: 'unused.ts', timeoutSeconds: 1 },
        queue: { ...accounting.queue, visibilityTimeoutSeconds: 2 },
        ...(idempotency && { idempotency: {} }),
      },
    },
  });
}

/** Polls until a poll receives something. */
async function pollReceiving(source: Source, timeoutMs = 15_000): Promise<PollResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await source.pollOnce();
    if (result.received > 0) return result;
    if (Date.now() > deadline) throw new Error(`nothing received within ${timeoutMs} ms`);
  }
}

/**
 * One message through the Lambda pipeline whose first delete is lost (the function was killed after its handler's
 * effect, before the event source deleted the message), then its redelivery: how often the effect happened.
 */
async function effectsOfKilledThenRedelivered(idempotency: boolean) {
  const topology = topologyWith(idempotency);
  const stage = uniqueStage();
  const resolved = resolveTopology(topology, { stage });
  const provisioned = await provisionTopology(resolved, clients);
  const tableName = await provisionIdempotencyTable(resolved, dynamodb);
  const publisher = new Publisher(topology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs, routes: { topicArns: Object.fromEntries(provisioned.topicArns) } });
  const effects: string[] = [];
  // Every delete of the first invocation is lost, as when the function dies before its poller deletes.
  let killed = true;
  const killedBeforeDelete = faultInjectingSqs(clients.sqs, (command) => {
    if (killed && describeCommand(command).name === 'DeleteMessageBatchCommand') return new Error('killed before the delete');
  });
  const handler = createSqsHandler(topology, {
    stage,
    queue: 'accounting',
    handlers: { 'payment.received': (message) => void effects.push(message.data.paymentId), 'payment.refunded': () => undefined },
    sqs: clients.sqs,
    logger: silent,
    writeMetrics: () => undefined,
    ...(tableName && { idempotencyStore: new DynamoDbIdempotencyStore({ tableName, dynamodb }) }),
  });
  const source = new LocalEventSource({ sqs: killedBeforeDelete, queueUrl: provisioned.queues.get('accounting')!.url, handler, waitTimeSeconds: 1 });
  const { id } = await publisher.publish('payment.received', { paymentId: 'p-1', amountCents: 500 });
  const first = await pollReceiving(source);
  expect(first.notDeleted).toHaveLength(1);
  killed = false;
  const again = await pollReceiving(source);
  expect(again).toMatchObject({ received: 1, deleted: 1, failed: 0 });
  return { effects, id, tableName };
}

describe('an idempotent handler', () => {
  it('is not run twice when its function was killed after the effect and before the delete', async () => {
    const { effects, id, tableName } = await effectsOfKilledThenRedelivered(true);
    expect(effects).toEqual(['p-1']);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName!, Key: { key: { S: `accounting#${id}` } }, ConsistentRead: true }));
    expect(Item).toMatchObject({ status: { S: 'COMPLETED' }, expiresAt: { N: expect.any(String) } });
  });

  it('without idempotency, the same redelivery runs the handler again (what the record prevents)', async () => {
    const { effects } = await effectsOfKilledThenRedelivered(false);
    expect(effects).toEqual(['p-1', 'p-1']);
  });
});

describe('DynamoDbIdempotencyStore', () => {
  async function store(now: () => number = Date.now) {
    const resolved = resolveTopology(topologyWith(true), { stage: uniqueStage() });
    const tableName = (await provisionIdempotencyTable(resolved, dynamodb))!;
    return new DynamoDbIdempotencyStore({ tableName, dynamodb, now });
  }

  it('lets one attempt claim a key; the next sees it in progress, then completed with its result', async () => {
    const records = await store();
    const first = await records.claim('q#k', 60);
    expect(first.status).toBe('claimed');
    expect(await records.claim('q#k', 60)).toMatchObject({ status: 'in-progress', leaseUntil: expect.any(Number) });
    if (first.status !== 'claimed') throw new Error('unreachable');
    expect(await records.complete(first.claim, '{"invoice":7}', 3600)).toBe(true);
    expect(await records.claim('q#k', 60)).toEqual({ status: 'completed', result: '{"invoice":7}' });
  });

  it('hands the key of a crashed attempt to the next once its lease ran out; the late attempt can then neither complete nor release it', async () => {
    let now = Date.UTC(2026, 11, 4, 22);
    const records = await store(() => now);
    const crashed = await records.claim('q#k', 5);
    now += 6_000;
    const next = await records.claim('q#k', 5);
    expect(next.status).toBe('claimed');
    if (crashed.status !== 'claimed' || next.status !== 'claimed') throw new Error('unreachable');
    expect(await records.complete(crashed.claim, undefined, 3600)).toBe(false);
    await records.release(crashed.claim);
    expect(await records.claim('q#k', 5)).toMatchObject({ status: 'in-progress' });
  });

  it('lets a released key be claimed again, and an expired record too', async () => {
    let now = Date.UTC(2026, 11, 4, 22);
    const records = await store(() => now);
    const first = await records.claim('q#a', 60);
    if (first.status !== 'claimed') throw new Error('unreachable');
    await records.release(first.claim);
    expect((await records.claim('q#a', 60)).status).toBe('claimed');
    const done = await records.claim('q#b', 60);
    if (done.status !== 'claimed') throw new Error('unreachable');
    await records.complete(done.claim, undefined, 60);
    now += 61_000;
    expect((await records.claim('q#b', 60)).status).toBe('claimed');
  });

  it('fails the message, unrun, when its table is missing', async () => {
    let calls = 0;
    const topology = topologyWith(true);
    const stage = uniqueStage();
    const { processor } = new QueueRuntime(topology, {
      stage,
      queue: 'accounting',
      handlers: { 'payment.received': () => void calls++, 'payment.refunded': () => undefined },
      sqs: clients.sqs,
      logger: silent,
      writeMetrics: () => undefined,
      idempotencyStore: new DynamoDbIdempotencyStore({ tableName: `${stage}-missing`, dynamodb }),
    });
    const processed = await processor.process({ messageId: 'm-1', receiptHandle: 'r', body: JSON.stringify({ paymentId: 'p', amountCents: 1 }), attributes: { type: 'payment.received' }, receiveCount: 1 });
    expect(processed).toMatchObject({ status: 'failed', action: 'retry' });
    expect((processed as { error: unknown }).error).toBeInstanceOf(IdempotencyStoreUnavailableError);
    expect((processed as { error: Error }).error.message).toContain(`DynamoDB table ${stage}-missing`);
    expect(calls).toBe(0);
  });
});

describe('writeWithRecord', () => {
  async function setUp() {
    const topology = topologyWith(true);
    const stage = uniqueStage();
    const resolved = resolveTopology(topology, { stage });
    const tableName = (await provisionIdempotencyTable(resolved, dynamodb))!;
    const ledger = `${stage}-ledger`;
    await dynamodb.send(
      new CreateTableCommand({ TableName: ledger, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    const entries = async () => (await dynamodb.send(new ScanCommand({ TableName: ledger }))).Items ?? [];
    return { topology, stage, tableName, ledger, entries };
  }
  const delivery = (messageId: string, receiveCount = 1) => ({
    messageId,
    receiptHandle: 'r',
    body: JSON.stringify({ paymentId: 'p-9', amountCents: 900 }),
    attributes: { type: 'payment.received' },
    receiveCount,
  });

  it('writes the effect once, with the record, however often the message comes; a failed transaction writes nothing and retries the message', async () => {
    const { topology, stage, tableName, ledger, entries } = await setUp();
    let calls = 0;
    const runtime = (store: DynamoDbIdempotencyStore) =>
      new QueueRuntime(topology, {
        stage,
        queue: 'accounting',
        handlers: {
          'payment.received': (message, context) => {
            calls += 1;
            context.idempotency!.writeWithRecord({ Put: { TableName: ledger, Item: { id: { S: `entry-${calls}` }, paymentId: { S: message.data.paymentId } } } });
          },
          'payment.refunded': () => undefined,
        },
        sqs: clients.sqs,
        logger: silent,
        writeMetrics: () => undefined,
        idempotencyStore: store,
      }).processor;
    // The first attempt's transaction cannot commit (its effect names a table that does not exist): nothing is written.
    const broken = new QueueRuntime(topology, {
      stage,
      queue: 'accounting',
      handlers: {
        'payment.received': (_message, context) => void context.idempotency!.writeWithRecord({ Put: { TableName: `${ledger}-missing`, Item: { id: { S: 'x' } } } }),
        'payment.refunded': () => undefined,
      },
      sqs: clients.sqs,
      logger: silent,
      writeMetrics: () => undefined,
      idempotencyStore: new DynamoDbIdempotencyStore({ tableName, dynamodb }),
    }).processor;
    const failed = await broken.process(delivery('m-1'));
    expect(failed).toMatchObject({ status: 'failed', action: 'retry' });
    expect((failed as { error: Error }).error).toMatchObject({ code: 'IDEMPOTENCY_COMMIT_FAILED' });
    expect(await entries()).toEqual([]);
    const processor = runtime(new DynamoDbIdempotencyStore({ tableName, dynamodb }));
    expect(await processor.process(delivery('m-1', 2))).toMatchObject({ status: 'processed' });
    expect(await processor.process(delivery('m-1', 3))).toMatchObject({ status: 'processed', duplicate: true });
    expect(calls).toBe(1);
    expect((await entries()).map((item) => item.id!.S)).toEqual(['entry-1']);
  });

  it('writes nothing for an attempt whose claim another attempt took over after its lease ran out', async () => {
    const { tableName, ledger, entries } = await setUp();
    let now = Date.UTC(2026, 11, 4, 23);
    const store = new DynamoDbIdempotencyStore({ tableName, dynamodb, now: () => now });
    const slow = await store.claim('accounting#k', 1);
    now += 2_000;
    const next = await store.claim('accounting#k', 60);
    if (slow.status !== 'claimed' || next.status !== 'claimed') throw new Error('unreachable');
    const put = (id: string) => ({ Put: { TableName: ledger, Item: { id: { S: id } } } });
    expect(await store.complete(slow.claim, undefined, 3600, [put('slow')])).toBe(false);
    expect(await store.complete(next.claim, undefined, 3600, [put('next')])).toBe(true);
    expect((await entries()).map((item) => item.id!.S)).toEqual(['next']);
  });
});
