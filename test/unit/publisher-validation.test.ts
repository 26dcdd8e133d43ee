import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { InvalidDelayError, MessageTooLargeError, SchemaValidationError, UnknownMessageTypeError } from '../../lib/messages/message-errors.ts';
import { BatchValidationError, DeliveryError, DestinationNotFoundError } from '../../lib/runtime/publish-errors.ts';
import { Publisher } from '../../lib/runtime/publisher.ts';
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

  it("rejects a message over its queue's size limit, stating the size and the limit", async () => {
    const big = await publisher
      .send('report.build', { month: '2026-11' }, { id: 'e-5'.padEnd(2100, 'x') })
      .catch((e: unknown) => e as MessageTooLargeError);
    expect(big).toBeInstanceOf(MessageTooLargeError);
    expect((big as MessageTooLargeError).message).toMatch(
      /^Message e-5x+ of type 'report.build' is \d{4} bytes, over the 2048-byte limit of queue pay-dev-report-build; send a reference/,
    );
    expect((big as MessageTooLargeError).sizeBytes).toBeGreaterThan(2048);
  });

  it('rejects an event over the SNS limit of 256 KiB', async () => {
    const error = await publisher.publish('payment.received', { paymentId: 'p'.repeat(300_000), amountCents: 1 }, { id: 'e-6' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Message e-6 of type 'payment.received' is 300\d{3} bytes, over the 262144-byte limit of topic pay-dev-payments/);
  });

  it('rejects delays SQS cannot apply', async () => {
    await expect(publisher.send('report.build', { month: '2026-11' }, { delaySeconds: 901 })).rejects.toThrowError(
      new InvalidDelayError('report.build', 901, 'SQS delays by whole seconds from 0 to 900 (15 minutes); schedule longer delays elsewhere (EventBridge Scheduler)'),
    );
    await expect(publisher.send('report.build', { month: '2026-11' }, { delaySeconds: 1.5 })).rejects.toBeInstanceOf(InvalidDelayError);
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
});
