import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTopicCommand } from '@aws-sdk/client-sns';
import { describe, expect, inject, it } from 'vitest';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionOutboxTable, provisionPayloadBucket } from '../../lib/local/store-provisioner.ts';
import { replaySendDeadLetters } from '../../lib/operations/send-dead-letter-replay.ts';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { DynamoDbOutboxStore } from '../../lib/runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { Outbox } from '../../lib/runtime/publishing/outbox/outbox.ts';
import { OutboxRelay } from '../../lib/runtime/publishing/outbox/outbox-relay.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, emulatorS3, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { pollUntil } from '../helpers/polling.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

/*
 * The claim check meets the outbox and the send dead-letter: a message over SNS's limit, from a publisher with a
 * payload bucket, written to the outbox (or kept after a failed publishMany) and relayed later, must reach its
 * handler whole.
 */

const clients = emulatorClients();
const s3 = emulatorS3();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
const silent = createLogger({}, { write: () => undefined });
const KiB = 1024;

async function setUp() {
  const stage = uniqueStage();
  const topology = resolveTopology(paymentsTopology, { stage });
  const provisioned = await provisionTopology(topology, clients);
  const payloadBucket = (await provisionPayloadBucket(topology, s3))!;
  const store = new DynamoDbOutboxStore({ tableName: await provisionOutboxTable(topology, dynamodb), dynamodb });
  const publisher = new Publisher(paymentsTopology, {
    stage,
    source: 'test',
    ...clients,
    s3,
    payloadBucket,
    sendDeadLetter: store,
    routes: { topicArns: Object.fromEntries(provisioned.topicArns) },
  });
  const seen: string[] = [];
  const accounting = provisioned.queues.get('accounting')!;
  const source = new LocalEventSource({
    sqs: clients.sqs,
    queueUrl: accounting.url,
    handler: createSqsHandler(paymentsTopology, {
      stage,
      queue: 'accounting',
      sqs: clients.sqs,
      s3,
      logger: silent,
      writeMetrics: () => undefined,
      handlers: { 'payment.received': (message) => void seen.push(message.data.paymentId), 'payment.refunded': () => undefined },
    }),
  });
  const relay = new OutboxRelay({ ...clients, store, retryBaseMs: 10, routes: { topicArns: Object.fromEntries(provisioned.topicArns) } });
  return { stage, provisioned, accounting, store, publisher, relay, seen, source };
}

describe('large payloads through the outbox', () => {
  it('relays a 300 KiB event written with Outbox.transactWrite to its handler whole', async () => {
    const { accounting, store, publisher, relay, seen, source } = await setUp();
    const paymentId = 'o'.repeat(300 * KiB);
    await new Outbox(publisher, store).transactWrite([], [{ type: 'payment.received', data: { paymentId, amountCents: 1 } }]);
    const report = await relay.relay(await store.pending(100));
    expect(report).toMatchObject({ deadLettered: [], unsettled: [] });
    await pollUntil(source, async () => seen.length > 0 || (await queueDepth(clients.sqs, accounting.deadLetterUrl)).visible > 0);
    expect(seen.map((id) => id.length)).toEqual([300 * KiB]);
  }, 60_000);

  it('replays a 300 KiB event that publishMany kept in the send dead-letter, and its handler gets it whole', async () => {
    const { stage, provisioned, store, publisher, seen } = await setUp();
    await clients.sns.send(new DeleteTopicCommand({ TopicArn: provisioned.topicArns.get('payments')! }));
    const paymentId = 'd'.repeat(300 * KiB);
    const kept = await publisher.publishMany([{ type: 'payment.received', data: { paymentId, amountCents: 1 } }]);
    expect(kept).toMatchObject({ failed: 1, deadLettered: 1 });

    const again = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
    const replay = await replaySendDeadLetters(store, new OutboxRelay({ ...clients, store, retryBaseMs: 10 }), undefined);
    expect(replay.sent).toHaveLength(1);
    const accounting = again.queues.get('accounting')!;
    const source = new LocalEventSource({
      sqs: clients.sqs,
      queueUrl: accounting.url,
      handler: createSqsHandler(paymentsTopology, {
        stage,
        queue: 'accounting',
        sqs: clients.sqs,
        s3,
        logger: silent,
        writeMetrics: () => undefined,
        handlers: { 'payment.received': (message) => void seen.push(message.data.paymentId), 'payment.refunded': () => undefined },
      }),
    });
    await pollUntil(source, async () => seen.length > 0 || (await queueDepth(clients.sqs, accounting.deadLetterUrl)).visible > 0);
    expect(seen.map((id) => id.length)).toEqual([300 * KiB]);
  }, 60_000);

  it('does not keep a pointer whose payload could not be stored: publishMany throws SendDeadLetterError naming it', async () => {
    const { stage, provisioned, store } = await setUp();
    const publisher = new Publisher(paymentsTopology, {
      stage,
      source: 'test',
      ...clients,
      s3,
      payloadBucket: `${stage}-no-such-bucket`,
      sendDeadLetter: store,
      routes: { topicArns: Object.fromEntries(provisioned.topicArns) },
    });
    const error = await publisher.publishMany([{ type: 'payment.received', data: { paymentId: 'x'.repeat(300 * KiB), amountCents: 1 } }]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SEND_DEAD_LETTER_FAILED' });
    expect(await store.deadLetters()).toEqual([]);
  }, 60_000);
});
