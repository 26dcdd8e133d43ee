import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { decodeMessage, type IncomingMessage } from '../../lib/messages/message-codec.ts';
import { MalformedMessageError } from '../../lib/messages/message-errors.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const catalog = new MessageCatalog(resolveTopology(paymentsTopology, { stage: 'dev' }));
const payment = { paymentId: 'p-1', amountCents: 100 };
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const cloudEvent = (fields: Record<string, unknown>): IncomingMessage => ({
  messageId: 'm-1',
  body: JSON.stringify({ specversion: '1.0', id: 'ce-1', source: 'urn:shop', type: 'payment.received', ...fields }),
  attributes: { type: 'payment.received' },
});
const failure = (message: IncomingMessage) => {
  try {
    decodeMessage(message, catalog);
  } catch (error) {
    return error as MalformedMessageError;
  }
  throw new Error('decoded');
};

describe('decodeMessage reads a CloudEvent that carries its data as data_base64', () => {
  it('decodes base64 of JSON when datacontenttype is absent or a JSON media type', () => {
    for (const datacontenttype of [undefined, 'application/json', 'application/json; charset=utf-8', 'application/vnd.shop.payment+json', 'text/json']) {
      const decoded = decodeMessage(cloudEvent({ data_base64: base64(JSON.stringify(payment)), ...(datacontenttype && { datacontenttype }) }), catalog);
      expect(decoded, String(datacontenttype)).toMatchObject({ id: 'ce-1', source: 'urn:shop', type: 'payment.received', data: payment });
    }
  });

  it('takes a null attribute for an absent one, as the CloudEvents JSON format does (serializers that write nulls)', () => {
    const encoded = base64(JSON.stringify(payment));
    expect(decodeMessage(cloudEvent({ data: null, data_base64: encoded }), catalog).data).toEqual(payment);
    expect(decodeMessage(cloudEvent({ datacontenttype: null, data_base64: encoded }), catalog).data).toEqual(payment);
    expect(decodeMessage(cloudEvent({ data: payment, data_base64: null }), catalog).data).toEqual(payment);
  });

  it('decodes UTF-8 text in the data', () => {
    const data = { paymentId: 'p-€-日本', amountCents: 7 };
    expect(decodeMessage(cloudEvent({ data_base64: base64(JSON.stringify(data)) }), catalog).data).toEqual(data);
  });

  it('refuses, as malformed and not retryable, data_base64 whose datacontenttype is not JSON', () => {
    const error = failure(cloudEvent({ data_base64: base64('paymentId=p-1'), datacontenttype: 'text/plain' }));
    expect(error).toBeInstanceOf(MalformedMessageError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'Message m-1 is malformed: its data_base64 is of datacontenttype "text/plain", and Postbox handlers take JSON data only; send JSON (datacontenttype application/json). It cannot be processed as sent; fix the producer.',
    );
  });

  it('refuses data_base64 that is not base64, not UTF-8 or not JSON, and an envelope with both data and data_base64', () => {
    expect(failure(cloudEvent({ data_base64: 'not base64!' })).message).toContain('its data_base64 is not base64');
    expect(failure(cloudEvent({ data_base64: 42 })).message).toContain('its data_base64 is not base64');
    expect(failure(cloudEvent({ data_base64: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64') })).message).toContain('its data_base64 is not UTF-8 text');
    expect(failure(cloudEvent({ data_base64: base64('{oops') })).message).toMatch(/its data_base64 does not hold JSON \(.+\)/);
    expect(failure(cloudEvent({ data_base64: base64(JSON.stringify(payment)), data: payment })).message).toContain(
      'it is not a valid CloudEvents envelope: data and data_base64 are both present; send one',
    );
  });
});
