import { describe, expect, it } from 'vitest';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { MessageProcessor, type ReceivedMessage } from '../../lib/runtime/consuming/message-processor.ts';
import { EmfMetrics } from '../../lib/runtime/observability/emf-metrics.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { queueById, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const topology = resolveTopology(paymentsTopology, { stage: 'dev' });

const handledIds: string[] = [];

/** A handler map as a class instance: its handlers are the class's methods, on its prototype. */
class AccountingHandlers {
  'payment.received'(message: { id: string }) {
    handledIds.push(message.id);
  }
  'payment.refunded'() {}
}

const delivery = (id: string): ReceivedMessage => ({
  messageId: `sqs-${id}`,
  receiptHandle: 'r',
  body: JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'payment.received', kind: 'event', data: { paymentId: 'p-1', amountCents: 500 } }),
  attributes: { type: 'payment.received' },
  receiveCount: 1,
});

describe('a handler map the processor accepts is called the same with and without an OpenTelemetry SDK', () => {
  it('calls a handler the map inherits (a class instance) whether the batch is traced or not', async () => {
    const processor = new MessageProcessor(
      queueById(topology, 'accounting')!,
      new MessageCatalog(topology),
      new AccountingHandlers() as never,
      createLogger({}, { write: () => undefined }),
      new EmfMetrics('Postbox/pay', 'accounting', () => undefined),
    );
    // Accepted as it is made: every message type of the queue has a handler.
    expect(await processor.process(delivery('plain'), { tracing: false })).toMatchObject({ status: 'processed' });
    // The same message in a batch whose invocation found an SDK registered (Invocation.tracing).
    expect(await processor.process(delivery('traced'), { tracing: true })).toMatchObject({ status: 'processed' });
    expect(handledIds).toEqual(['plain', 'traced']);
  });
});
