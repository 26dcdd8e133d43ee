import { describe, expect, it } from 'vitest';
import { dataSchemaUri, dataSchemaUriOf } from '../../lib/messages/data-schema-uri.ts';
import { createEnvelope } from '../../lib/messages/envelope.ts';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { decodeMessage } from '../../lib/messages/message-codec.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const topology = resolveTopology(paymentsTopology, { stage: 'dev' });
const payment = { paymentId: 'p-1', amountCents: 100 };

describe('the dataschema of a message type', () => {
  it('names the owning service, the type and its version, the same for every stage', () => {
    expect(dataSchemaUri('orders', 'order.placed', 3)).toBe('urn:postbox:orders:order.placed:3');
    expect(dataSchemaUriOf(topology, 'payment.received')).toBe('urn:postbox:pay:payment.received:1');
    expect(dataSchemaUriOf(topology, 'report.build')).toBe('urn:postbox:pay:report.build:1');
    expect(dataSchemaUriOf(resolveTopology(paymentsTopology, { stage: 'prod' }), 'payment.received')).toBe('urn:postbox:pay:payment.received:1');
    expect(dataSchemaUriOf(topology, 'payment.lost')).toBeUndefined();
  });

  it("names the publisher of an external topic for the events it carries, and none when that topic is known by ARN only", () => {
    // The resolved form of issue #17's external topics (ResolvedTopology.externalTopics).
    const subscriber = {
      ...topology,
      externalTopics: [
        { id: 'orders', service: 'orders', name: 'orders-dev-orders', arn: undefined, fifo: false, events: ['payment.refunded'] },
        { id: 'ledger-arn', service: undefined, name: 'ledger-prod-entries', arn: 'arn:aws:sns:eu-west-1:111122223333:ledger-prod-entries', fifo: false, events: ['ledger.entry'] },
      ],
    };
    expect(dataSchemaUriOf(subscriber, 'payment.refunded')).toBe('urn:postbox:orders:payment.refunded:1');
    expect(dataSchemaUriOf(subscriber, 'ledger.entry')).toBeUndefined();
    expect(dataSchemaUriOf(subscriber, 'payment.received')).toBe('urn:postbox:pay:payment.received:1');
  });

  it('travels in the envelope, and a consumer reads it back as sent', () => {
    const envelope = createEnvelope({ type: 'payment.received', kind: 'event', data: payment, source: 'shop', dataSchema: 'urn:postbox:pay:payment.received:1' });
    expect(envelope.dataschema).toBe('urn:postbox:pay:payment.received:1');
    const decoded = decodeMessage({ messageId: 'm-1', body: JSON.stringify(envelope), attributes: {} }, new MessageCatalog(topology));
    expect(decoded).toEqual(envelope);
    expect('dataschema' in createEnvelope({ type: 'payment.received', kind: 'event', data: payment, source: 'shop' })).toBe(false);
  });

  it('is refused, as malformed, when it is not a string', () => {
    const body = JSON.stringify({ specversion: '1.0', id: 'e-1', source: 'shop', type: 'payment.received', dataschema: 7, data: payment });
    expect(() => decodeMessage({ messageId: 'm-1', body, attributes: {} }, new MessageCatalog(topology))).toThrowError(
      'Message m-1 is malformed: it is not a valid CloudEvents envelope: dataschema must be a string. It cannot be processed as sent; fix the producer.',
    );
  });
});
