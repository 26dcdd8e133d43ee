import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionPayloadBucket } from '../../lib/local/store-provisioner.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { readFailureRecord } from '../../lib/messages/failure-record.ts';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import { readPayloadPointer } from '../../lib/messages/payload-pointer.ts';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients, emulatorS3, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { pollUntil } from '../helpers/polling.ts';
import { queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

/*
 * The claim check end to end at the emulator (SNS and SQS, and S3 from moto): an event over SNS's 256 KiB is
 * stored in the payload bucket and published as a pointer; the consumer fetches it before validation; its
 * dead-letter copy keeps the pointer, and redrives.
 */

const clients = emulatorClients();
const s3 = emulatorS3();
const silent = createLogger({}, { write: () => undefined });
const KiB = 1024;

async function setUp() {
  const stage = uniqueStage();
  const topology = resolveTopology(paymentsTopology, { stage });
  const provisioned = await provisionTopology(topology, clients);
  const payloadBucket = (await provisionPayloadBucket(topology, s3))!;
  const publisher = new Publisher(paymentsTopology, {
    stage,
    source: 'test',
    sns: clients.sns,
    sqs: clients.sqs,
    s3,
    payloadBucket,
    routes: { topicArns: Object.fromEntries(provisioned.topicArns) },
  });
  const accounting = provisioned.queues.get('accounting')!;
  const seen: Array<Envelope<{ paymentId: string; amountCents: number }>> = [];
  let failing = true;
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
      handlers: {
        'payment.received': (message) => {
          seen.push(message);
          if (failing) throw new UnrecoverableError('the ledger refuses it');
        },
        'payment.refunded': () => undefined,
      },
    }),
  });
  return { stage, payloadBucket, publisher, accounting, seen, source, succeed: () => (failing = false) };
}

describe('large payloads (claim check)', () => {
  it('publishes a 600 KiB event through SNS as a pointer, hands the handler the whole event, and redrives its DLQ copy, pointer and all', async () => {
    const { stage, payloadBucket, publisher, accounting, seen, source, succeed } = await setUp();
    const paymentId = 'p'.repeat(600 * KiB);
    const { id } = await publisher.publish('payment.received', { paymentId, amountCents: 600 });

    // What SNS delivered: the pointer, with the message's own attributes (its filter policy matched on `type`).
    const [delivered] = await receiveAvailable(clients.sqs, accounting.url, { expected: 1, visibilitySeconds: 0 });
    const pointer = readPayloadPointer(delivered!.MessageId!, delivered!.Body!);
    expect(pointer).toEqual({ bucket: payloadBucket, key: expect.stringMatching(new RegExp(`^payloads/${id}/[0-9a-f-]{36}$`)) });
    expect(delivered!.MessageAttributes).toMatchObject({ type: { StringValue: 'payment.received' }, kind: { StringValue: 'event' }, ExtendedPayloadSize: { DataType: 'Number' } });
    expect(Number(delivered!.MessageAttributes!.ExtendedPayloadSize!.StringValue)).toBeGreaterThan(600 * KiB);
    const stored = await s3.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    expect(JSON.parse(await stored.Body!.transformToString())).toMatchObject({ id, type: 'payment.received', data: { paymentId } });

    // Handled: the handler sees the whole event; it refuses it, so the message is dead-lettered with the pointer.
    await pollUntil(source, async () => (await queueDepth(clients.sqs, accounting.deadLetterUrl)).visible === 1);
    expect(seen.map((message) => [message.id, message.data.paymentId.length])).toEqual([[id, 600 * KiB]]);
    const [copy] = await receiveAvailable(clients.sqs, accounting.deadLetterUrl, { expected: 1, visibilitySeconds: 0 });
    expect(copy!.Body).toBe(delivered!.Body);
    expect(copy!.MessageAttributes!.ExtendedPayloadSize).toEqual(delivered!.MessageAttributes!.ExtendedPayloadSize);
    expect(readFailureRecord(Object.fromEntries(Object.entries(copy!.MessageAttributes!).map(([name, value]) => [name, value.StringValue])))).toMatchObject({
      errorCode: 'UNRECOVERABLE',
    });

    // An operator sees what it is and where its payload is, then redrives it; the handler now takes it.
    const shown = JSON.parse((await postbox(stage, ['--json', 'dlq', 'show', 'accounting'])).out);
    expect(shown.deadLetters).toEqual([expect.objectContaining({ type: 'payment.received', errorCode: 'UNRECOVERABLE', payload: `s3://${pointer.bucket}/${pointer.key}` })]);
    succeed();
    const redrive = await postbox(stage, ['--json', 'dlq', 'redrive', 'accounting']);
    expect(redrive.code).toBe(0);
    await pollUntil(source, () => seen.length === 2);
    expect(seen[1]!.data.paymentId).toBe(paymentId);
    expect(await queueDepth(clients.sqs, accounting.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueDepth(clients.sqs, accounting.deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);

  it('dead-letters a message whose payload object is gone, with that reason, without running its handler', async () => {
    const { publisher, accounting, seen, source } = await setUp();
    await publisher.publish('payment.received', { paymentId: 'q'.repeat(300 * KiB), amountCents: 1 });
    const [delivered] = await receiveAvailable(clients.sqs, accounting.url, { expected: 1, visibilitySeconds: 0 });
    const pointer = readPayloadPointer(delivered!.MessageId!, delivered!.Body!);
    await s3.send(new DeleteObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));

    await pollUntil(source, async () => (await queueDepth(clients.sqs, accounting.deadLetterUrl)).visible === 1);
    expect(seen).toEqual([]);
    const [copy] = await receiveAvailable(clients.sqs, accounting.deadLetterUrl, { expected: 1, visibilitySeconds: 0 });
    expect(copy!.Body).toBe(delivered!.Body);
    const record = readFailureRecord(Object.fromEntries(Object.entries(copy!.MessageAttributes!).map(([name, value]) => [name, value.StringValue])));
    expect(record).toMatchObject({ errorCode: 'PAYLOAD_MISSING', handler: 'accounting/unknown' });
    expect(record.errorMessage).toMatch(new RegExp(`points to its payload at s3://${pointer.bucket}/${pointer.key}, which does not exist`));
  }, 60_000);

  it('sends a batch with a large event in it, and fails only the large one when its payload cannot be stored', async () => {
    const { stage, payloadBucket, accounting } = await setUp();
    const entries = [
      { type: 'payment.received' as const, data: { paymentId: 'small', amountCents: 1 } },
      { type: 'payment.received' as const, data: { paymentId: 'l'.repeat(400 * KiB), amountCents: 2 } },
    ];
    const publisherWith = (bucket: string) => new Publisher(paymentsTopology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs, s3, payloadBucket: bucket });
    expect(await publisherWith(payloadBucket).publishMany(entries)).toMatchObject({ sent: 2, failed: 0 });
    const report = await publisherWith(`${payloadBucket}-gone`).publishMany(entries);
    expect(report).toMatchObject({ sent: 1, failed: 1 });
    expect(report.results[1]).toMatchObject({ index: 1, status: 'failed', error: { code: 'DELIVERY_FAILED' } });
    expect(report.results[1]!.error!.message).toMatch(/the payload of message .* could not be stored at s3:\/\/.*-gone\/payloads\/.*, so the message was not sent/);
    expect(await receiveAvailable(clients.sqs, accounting.url, { expected: 3 })).toHaveLength(3);
  });

  it('refuses an event over 256 KiB, as before, from a publisher without a payload bucket', async () => {
    const { stage } = await setUp();
    const publisher = new Publisher(paymentsTopology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs });
    await expect(publisher.publish('payment.received', { paymentId: 'r'.repeat(300 * KiB), amountCents: 1 })).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });
});
