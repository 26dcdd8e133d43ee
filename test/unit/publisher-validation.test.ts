import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SchedulingNotConfiguredError } from '../../lib/runtime/publishing/publish-errors.ts';
import { InvalidDelayError, MessageTooLargeError, SchemaValidationError, UnknownMessageTypeError } from '../../lib/messages/message-errors.ts';
import {
  BatchValidationError,
  DeliveryError,
  DestinationNotFoundError,
  InvalidPublishOptionsError,
  PublisherOptionsError,
} from '../../lib/runtime/publishing/publish-errors.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

// Validation happens before any call: these clients point at a port nothing listens on,
// and a test that reached the network would fail with a DeliveryError instead.
const nowhere = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };
const publisher = new Publisher(paymentsTopology, { stage: 'dev', source: 'test', sns: new SNSClient(nowhere), sqs: new SQSClient(nowhere) });

describe('Publisher validation', () => {
  it('rejects data that does not match the schema, naming the message and each issue', async () => {
    await expect(publisher.publish('payment.received', { paymentId: '', amountCents: 0 }, { id: 'e-1' })).rejects.toThrowError(
      new SchemaValidationError('e-1', 'payment.received', ['paymentId: Too small: expected string to have >=1 characters', 'amountCents: Too small: expected number to be >0']),
    );
  });

  it('rejects an event sent as a command, and an undeclared type', async () => {
    await expect(publisher.send('payment.received' as never, { paymentId: 'p', amountCents: 1 } as never, { id: 'e-2' })).rejects.toThrowError(
      "Message e-2 has type 'payment.received', which is an event, not a command.",
    );
    await expect(publisher.publish('payment.lost' as never, {} as never, { id: 'e-3' })).rejects.toThrowError(
      new UnknownMessageTypeError('e-3', 'payment.lost', 'is not declared in the topology'),
    );
  });

  it('quotes no made-up id for an unknown type or invalid data published without an id', async () => {
    const unknown = (await publisher.publish('payment.lost' as never, {} as never).catch((e: unknown) => e)) as UnknownMessageTypeError;
    expect(unknown).toBeInstanceOf(UnknownMessageTypeError);
    expect(unknown.message).toBe("A message given no id (so none was sent) has type 'payment.lost', which is not declared in the topology.");
    expect(unknown.messageId).toBeUndefined();
    const invalid = (await publisher.publish('payment.received', { paymentId: '', amountCents: 1 }).catch((e: unknown) => e)) as SchemaValidationError;
    expect(invalid.message).toMatch(/^A message given no id \(so none was sent\) of type 'payment.received' does not match its schema/);
  });

  it("rejects a message over its queue's size limit, stating the size and the limit", async () => {
    const big = await publisher
      .send('report.build', { month: '2026-11' }, { id: 'e-5'.padEnd(2100, 'x') })
      .catch((e: unknown) => e as MessageTooLargeError);
    expect(big).toBeInstanceOf(MessageTooLargeError);
    expect((big as MessageTooLargeError).message).toMatch(
      /^Message e-5x+ of type 'report.build' is \d{4} bytes, over the 2048-byte limit of queue pay-dev-report-build; give the publisher a payload bucket/,
    );
    expect((big as MessageTooLargeError).sizeBytes).toBeGreaterThan(2048);
  });

  it('rejects an event over the SNS limit of 256 KiB', async () => {
    const error = await publisher.publish('payment.received', { paymentId: 'p'.repeat(300_000), amountCents: 1 }, { id: 'e-6' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Message e-6 of type 'payment.received' is 300\d{3} bytes, over the 262144-byte limit of topic pay-dev-payments/);
  });

  it('rejects delays neither SQS nor a schedule can apply', async () => {
    await expect(publisher.send('report.build', { month: '2026-11' }, { delaySeconds: 1.5 })).rejects.toThrowError(
      new InvalidDelayError('report.build', 1.5, 'a delay is a whole number of seconds, 0 or more'),
    );
    await expect(publisher.send('report.build', { month: '2026-11' }, { at: new Date(Date.now() - 60_000) })).rejects.toThrowError(/is in the past/);
  });

  it('says how to turn scheduling on when a message for later has no scheduler (no stack settings, no local system)', async () => {
    const error = await publisher.send('report.build', { month: '2026-11' }, { delaySeconds: 3600 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchedulingNotConfiguredError);
    expect((error as Error).message).toMatch(/^Cannot schedule a message for later: this publisher has no scheduler\. Turn on `schedules: true`/);
  });

  it('refuses a message for later in a batch, sending none of it', async () => {
    const error = await publisher.sendMany([{ type: 'report.build', data: { month: '2026-11' }, options: { delaySeconds: 3600 } }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchValidationError);
    expect((error as Error).message).toContain('a batch or an outbox write schedules nothing; schedule it alone with publish or send');
  });

  it('sends nothing of a batch with an invalid message, and names each bad one', async () => {
    const error = await publisher
      .publishMany([
        { type: 'payment.received', data: { paymentId: 'ok', amountCents: 1 } },
        { type: 'payment.refunded', data: { paymentId: 'bad', amountCents: -1 }, options: { id: 'e-7' } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchValidationError);
    expect((error as Error).message).toBe(
      'Nothing was sent: 1 message(s) of the batch are invalid:\n' +
        "  - [1] Message e-7 of type 'payment.refunded' does not match its schema: amountCents: Too small: expected number to be >0.",
    );
  });

  it('turns an unreachable endpoint into a DeliveryError that says so', async () => {
    const error = await new Publisher(paymentsTopology, {
      stage: 'dev',
      source: 'test',
      sns: new SNSClient(nowhere),
      sqs: new SQSClient(nowhere),
      routes: { topicArns: { payments: 'arn:aws:sns:us-east-1:000000000000:pay-dev-payments' } },
    })
      .publish('payment.received', { paymentId: 'p', amountCents: 1 }, { id: 'e-8' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toMatch(
      /^Message e-8 of type 'payment.received' was not delivered to topic pay-dev-payments: the endpoint could not be reached \(.*ECONNREFUSED.*\); is it running\?$/,
    );
  });

  it('words a missing destination with what to do', () => {
    expect(new DestinationNotFoundError('queue q', 'deploy it').message).toBe('queue q does not exist at this endpoint; deploy it.');
  });

  it('refuses an empty id, correlation id or causation id, which consumers would reject after it was reported sent', async () => {
    await expect(publisher.publish('payment.received', { paymentId: 'p', amountCents: 1 }, { id: '' })).rejects.toThrowError(
      new InvalidPublishOptionsError('', 'payment.received', ['id is empty; omit it for a new UUID']),
    );
    expect(new InvalidPublishOptionsError('', 'payment.received', ['why']).message).toBe(
      "Message with an empty id of type 'payment.received' was not sent: why.",
    );
    const error = await publisher.send('report.build', { month: '2026-11' }, { id: 'c-1', correlationId: '', causationId: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidPublishOptionsError);
    expect((error as Error).message).toBe(
      "Message c-1 of type 'report.build' was not sent: correlationId is empty; omit it to start a flow; causationId is empty; omit it for none.",
    );
  });

  it('refuses an empty source when the publisher is made', () => {
    expect(() => new Publisher(paymentsTopology, { stage: 'dev', source: '', sns: new SNSClient(nowhere), sqs: new SQSClient(nowhere) })).toThrowError(
      new PublisherOptionsError(["source is empty; name the producer as a URI reference ('orders-service', 'urn:orders:checkout'): consumers refuse an envelope without one"]),
    );
  });

  it('refuses deduplicationId for a standard destination instead of ignoring it, and a tenant (groupId) SNS would refuse', async () => {
    await expect(publisher.publish('payment.received', { paymentId: 'p', amountCents: 1 }, { id: 'e-9', groupId: 'tenant 1', deduplicationId: 'd' })).rejects.toThrowError(
      "Message e-9 of type 'payment.received' was not sent: groupId must be 1 to 128 letters, digits or punctuation (no spaces) for topic pay-dev-payments; " +
        'deduplicationId applies to FIFO destinations only, and topic pay-dev-payments is standard.',
    );
  });

  it('refuses FIFO group and deduplication ids SNS would refuse, including an id that stands in for them', async () => {
    const entry = { account: 'a', sequence: 1 };
    await expect(publisher.publish('ledger.entry', entry, { id: 'e-10', groupId: 'has space' })).rejects.toThrowError(
      "Message e-10 of type 'ledger.entry' was not sent: groupId must be 1 to 128 letters, digits or punctuation (no spaces) for FIFO topic pay-dev-ledger.fifo.",
    );
    await expect(publisher.publish('ledger.entry', entry, { id: 'x'.repeat(129) })).rejects.toThrowError(
      /was not sent: id stands in for the group and deduplication ids, so it must be 1 to 128 letters, digits or punctuation \(no spaces\) for FIFO topic pay-dev-ledger.fifo; or pass groupId and deduplicationId\.$/,
    );
  });

  it('refuses a batch with two messages of one id, or one deduplication id for a FIFO destination, naming each duplicate', async () => {
    const data = { paymentId: 'p', amountCents: 1 };
    const error = await publisher
      .publishMany([
        { type: 'payment.received', data, options: { id: 'same' } },
        { type: 'payment.refunded', data, options: { id: 'other' } },
        { type: 'payment.refunded', data, options: { id: 'same' } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchValidationError);
    expect((error as BatchValidationError).failures.map(({ index, error }) => [index, error.code])).toEqual([[2, 'DUPLICATE_MESSAGE']]);
    expect((error as Error).message).toBe(
      'Nothing was sent: 1 message(s) of the batch are invalid:\n' +
        "  - [2] Message same of type 'payment.refunded' has the same id as message [0] of this batch; give each message its own id.",
    );

    const fifo = await publisher
      .publishMany([
        { type: 'ledger.entry', data: { account: 'a', sequence: 1 }, options: { id: 'l-1', deduplicationId: 'd' } },
        { type: 'ledger.entry', data: { account: 'a', sequence: 2 }, options: { id: 'l-2', deduplicationId: 'd' } },
      ])
      .catch((e: unknown) => e);
    expect((fifo as Error).message).toBe(
      'Nothing was sent: 1 message(s) of the batch are invalid:\n' +
        "  - [1] Message l-2 of type 'ledger.entry' has the deduplication id 'd' of message [0]; FIFO topic pay-dev-ledger.fifo would deliver only one of them.",
    );
  });
});
