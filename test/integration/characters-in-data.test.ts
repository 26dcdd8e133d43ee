import { describe, expect, it } from 'vitest';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import { createSqsHandler, type SqsHandlerOptions } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import type { QueueId } from '../../lib/topology/queue-types.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { pollUntil } from '../helpers/polling.ts';
import { queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

/*
 * Data holding characters SQS refuses in a message (U+FFFE, U+FFFF, lone surrogates, control characters) is
 * still valid data: it goes out escaped in the JSON body and reaches the handler as it was sent.
 */

const clients = emulatorClients();
const silent = createLogger({}, { write: () => undefined });
type Payments = typeof paymentsTopology;

/** Every kind of character SQS refuses raw, beside ones it takes (U+FFFD, DEL, JSON's own escapes). */
const ODD = 'p\uFFFE\uFFFF\uDFFF\uD800\u0000\u0008\u001F\u007F\uFFFD"\\/';

async function setUp() {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
  const publisher = new Publisher(paymentsTopology, {
    stage,
    source: 'test',
    sns: clients.sns,
    sqs: clients.sqs,
    routes: {
      topicArns: Object.fromEntries(provisioned.topicArns),
      queueUrls: Object.fromEntries([...provisioned.queues].map(([id, queue]) => [id, queue.url])),
    },
  });
  const sourceFor = <Q extends QueueId<Payments>>(queue: Q, handlers: SqsHandlerOptions<Payments, Q>['handlers']) =>
    new LocalEventSource({
      sqs: clients.sqs,
      queueUrl: provisioned.queues.get(queue)!.url,
      handler: createSqsHandler(paymentsTopology, { stage, queue, handlers, sqs: clients.sqs, logger: silent, writeMetrics: () => undefined }),
    });
  return { provisioned, publisher, sourceFor };
}

describe('data with characters SQS refuses raw', () => {
  it('is sent as a command, published as an event, one by one and in a batch, and each handler receives it as it was', async () => {
    const { publisher, sourceFor } = await setUp();
    await publisher.send('receipt.archive', { paymentId: ODD });
    await publisher.publish('payment.received', { paymentId: ODD, amountCents: 1 });
    const report = await publisher.publishMany([{ type: 'payment.refunded', data: { paymentId: `${ODD}-batch`, amountCents: 2 } }]);
    expect(report).toMatchObject({ sent: 1, failed: 0 });

    const archived: Envelope<any>[] = [];
    await pollUntil(sourceFor('receipt-archive', { 'receipt.archive': (message) => void archived.push(message) }), () => archived.length === 1);
    expect(archived[0]!.data).toEqual({ paymentId: ODD });

    const accounted: Envelope<any>[] = [];
    const record = (message: Envelope<any>) => void accounted.push(message);
    await pollUntil(sourceFor('accounting', { 'payment.received': record, 'payment.refunded': record }), () => accounted.length === 2);
    expect(accounted.map((message) => message.data).sort((a, b) => a.amountCents - b.amountCents)).toEqual([
      { paymentId: ODD, amountCents: 1 },
      { paymentId: `${ODD}-batch`, amountCents: 2 },
    ]);
  });

  // fauxqs 2.4.1 refuses characters above U+FFFF in SendMessage, which SQS takes (its check lacks #x10000-#x10FFFF).
  it.skipIf(process.env.POSTBOX_EMULATOR === 'fauxqs')('keeps characters above U+FFFF (emoji) as they are, raw, as SQS takes them', async () => {
    const { provisioned, publisher, sourceFor } = await setUp();
    await publisher.send('receipt.archive', { paymentId: `${ODD}😀` });
    const [raw] = await receiveAvailable(clients.sqs, provisioned.queues.get('receipt-archive')!.url, { expected: 1, visibilitySeconds: 0 });
    expect(raw!.Body).toContain('😀');
    const archived: Envelope<any>[] = [];
    await pollUntil(sourceFor('receipt-archive', { 'receipt.archive': (message) => void archived.push(message) }), () => archived.length === 1);
    expect(archived[0]!.data).toEqual({ paymentId: `${ODD}😀` });
  });

  it('is dead-lettered with its body as it came and a reason quoting it, in characters SQS takes', async () => {
    const { provisioned, publisher, sourceFor } = await setUp();
    await publisher.publish('payment.received', { paymentId: ODD, amountCents: 1 });
    const refuse = (message: Envelope<any>) => {
      throw new UnrecoverableError(`payment ${message.data.paymentId} is refused`);
    };
    const { url, deadLetterUrl } = provisioned.queues.get('accounting')!;
    await pollUntil(sourceFor('accounting', { 'payment.received': refuse, 'payment.refunded': refuse }), async () => (await queueDepth(clients.sqs, deadLetterUrl)).visible === 1);
    const [deadLetter] = await receiveAvailable(clients.sqs, deadLetterUrl, { expected: 1 });
    expect(JSON.parse(deadLetter!.Body!).data).toEqual({ paymentId: ODD, amountCents: 1 });
    const reason = deadLetter!.MessageAttributes!['postbox.errorMessage']!.StringValue!;
    expect(reason).toMatch(/payment p\uFFFD{7}\u007F\uFFFD"\\\/ is refused/);
    expect(await queueDepth(clients.sqs, url)).toEqual({ visible: 0, inFlight: 0 });
  });
});
