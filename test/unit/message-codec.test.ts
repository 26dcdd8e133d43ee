import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../lib/messages/envelope.ts';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { decodeMessage, encodeMessage, EXTERNAL_SOURCE, type IncomingMessage } from '../../lib/messages/message-codec.ts';
import { MalformedMessageError, SchemaValidationError, UnknownMessageTypeError } from '../../lib/messages/message-errors.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const catalog = new MessageCatalog(resolveTopology(paymentsTopology, { stage: 'dev' }));
const incoming = (body: string, attributes: Record<string, string> = {}): IncomingMessage => ({ messageId: 'm-1', body, attributes });
const payment = { paymentId: 'p-1', amountCents: 100 };

describe('encodeMessage', () => {
  it('serializes the envelope with type and kind attributes and counts the size as SNS does', () => {
    const envelope = createEnvelope({ type: 'payment.received', kind: 'event', data: payment, source: 'shop', id: 'e-1', time: new Date(0) });
    const encoded = encodeMessage(envelope);
    expect(JSON.parse(encoded.body)).toEqual({
      specversion: '1.0',
      id: 'e-1',
      source: 'shop',
      type: 'payment.received',
      time: '1970-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      data: payment,
      kind: 'event',
      correlationid: 'e-1',
      dataversion: 1,
    });
    expect(encoded.attributes).toEqual({ type: 'payment.received', kind: 'event' });
    expect(encoded.sizeBytes).toBe(Buffer.byteLength(encoded.body) + 'type'.length + 6 + 'payment.received'.length + 'kind'.length + 6 + 'event'.length);
  });
});

describe('decodeMessage', () => {
  it('reads a Postbox envelope', () => {
    const envelope = createEnvelope({ type: 'payment.received', kind: 'event', data: payment, source: 'shop', correlationId: 'flow-1' });
    expect(decodeMessage(incoming(JSON.stringify(envelope)), catalog)).toEqual(envelope);
  });

  it('reads a plain message by its type attribute, as a plain SNS Publish sends it', () => {
    const sentTimestamp = Date.parse('2026-01-02T03:04:05Z');
    expect(decodeMessage({ ...incoming(JSON.stringify(payment), { type: 'payment.received' }), sentTimestamp }, catalog)).toEqual({
      specversion: '1.0',
      id: 'm-1',
      source: EXTERNAL_SOURCE,
      type: 'payment.received',
      time: '2026-01-02T03:04:05.000Z',
      datacontenttype: 'application/json',
      data: payment,
      kind: 'event',
      correlationid: 'm-1',
      dataversion: 1,
    });
  });

  it('unwraps an SNS notification (no raw delivery) and reads its attributes', () => {
    const notification = {
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:1:pay-dev-payments',
      Message: JSON.stringify(payment),
      MessageAttributes: { type: { Type: 'String', Value: 'payment.refunded' } },
    };
    expect(decodeMessage(incoming(JSON.stringify(notification)), catalog)).toMatchObject({ type: 'payment.refunded', data: payment });
  });

  it('fills in kind and version from the catalog for envelopes of other CloudEvents producers', () => {
    const foreign = { specversion: '1.0', id: 'x', source: 'elsewhere', type: 'payment.received', data: payment };
    expect(decodeMessage(incoming(JSON.stringify(foreign)), catalog)).toMatchObject({ kind: 'event', dataversion: 1, correlationid: 'x' });
  });

  it('refuses a body that is not JSON', () => {
    // The parser's own words differ between Node.js versions.
    expect(() => decodeMessage(incoming('{oops'), catalog)).toThrowError(
      /^Message m-1 is malformed: its body is not valid JSON \(Expected property name .+ at position 1.*\)\. It cannot be processed as sent; fix the producer\.$/,
    );
    expect(new MalformedMessageError('m-1', 'why').message).toBe('Message m-1 is malformed: why. It cannot be processed as sent; fix the producer.');
  });

  it('refuses a broken envelope, naming each problem', () => {
    const broken = { specversion: '0.3', id: '', source: 's', type: 'payment.received', kind: 'query', data: payment };
    expect(() => decodeMessage(incoming(JSON.stringify(broken)), catalog)).toThrowError(
      'Message m-1 is malformed: it is not a valid CloudEvents envelope: specversion is "0.3", expected "1.0"; id must be a non-empty string; kind must be "event" or "command". It cannot be processed as sent; fix the producer.',
    );
  });

  it('refuses a message with no type', () => {
    expect(() => decodeMessage(incoming(JSON.stringify(payment)), catalog)).toThrowError(
      new UnknownMessageTypeError('m-1', undefined, "its body is not a CloudEvents envelope and it has no 'type' message attribute to say what it is"),
    );
    expect(new UnknownMessageTypeError('m-1', undefined, 'x').message).toBe('Message m-1 has no type: x.');
  });

  it('refuses an undeclared type, and a type the queue does not handle', () => {
    expect(() => decodeMessage(incoming('{}', { type: 'payment.lost' }), catalog)).toThrowError(
      "Message m-1 has type 'payment.lost', which is not declared in the topology.",
    );
    expect(() => decodeMessage(incoming(JSON.stringify(payment), { type: 'payment.received' }), catalog, new Set(['ledger.entry']))).toThrowError(
      "Message m-1 has type 'payment.received', which this queue does not handle.",
    );
  });

  it('refuses data that does not match its schema, listing each issue', () => {
    const error = (() => {
      try {
        decodeMessage(incoming(JSON.stringify({ amountCents: 1.5 }), { type: 'payment.received' }), catalog);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SchemaValidationError);
    expect((error as SchemaValidationError).message).toBe(
      "Message m-1 of type 'payment.received' does not match its schema: paymentId: Invalid input: expected string, received undefined; amountCents: Invalid input: expected int, received number.",
    );
    expect((error as SchemaValidationError).retryable).toBe(false);
  });
});
