import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../lib/messages/envelope.ts';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { decodeMessage, encodeMessage, EXTERNAL_SOURCE, type IncomingMessage } from '../../lib/messages/message-codec.ts';
import { MalformedMessageError, SchemaValidationError, UnknownMessageTypeError, UnsupportedDataVersionError } from '../../lib/messages/message-errors.ts';
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

  it('escapes the characters SQS refuses (U+FFFE, U+FFFF, lone surrogates, control characters), so the data decodes as it was sent', () => {
    const data = { paymentId: 'p\uFFFE\uFFFF\uDFFF\uD800\u0000\u001F😀', amountCents: 1 };
    const envelope = createEnvelope({ type: 'payment.received', kind: 'event', data, source: 'shop', id: 'e-1', time: new Date(0) });
    const encoded = encodeMessage(envelope);
    expect(encoded.body).not.toMatch(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u);
    expect(encoded.body).toContain('"paymentId":"p\\ufffe\\uffff\\udfff\\ud800\\u0000\\u001f😀"');
    expect(encoded.sizeBytes).toBe(Buffer.byteLength(encoded.body) + 'type'.length + 6 + 'payment.received'.length + 'kind'.length + 6 + 'event'.length);
    expect(decodeMessage(incoming(encoded.body), catalog).data).toEqual(data);
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

describe('decodeMessage refuses a message that contradicts itself, as malformed', () => {
  const envelope = (fields: Record<string, unknown> = {}) =>
    JSON.stringify({ specversion: '1.0', id: 'e-1', source: 'shop', type: 'payment.received', data: payment, ...fields });
  const notification = (fields: Record<string, unknown>) =>
    JSON.stringify({ Type: 'Notification', MessageId: 'n-1', TopicArn: 'arn:aws:sns:us-east-1:1:pay-dev-payments', Message: JSON.stringify(payment), ...fields });
  const failure = (message: IncomingMessage) => {
    try {
      decodeMessage(message, catalog);
    } catch (error) {
      return error;
    }
    throw new Error('decoded');
  };

  it('refuses an SNS notification whose message attributes are not SNS attributes, instead of failing with a TypeError', () => {
    for (const MessageAttributes of [{ type: null }, { type: { Type: 'String', Value: 7 } }, [], 'type']) {
      const error = failure(incoming(notification({ MessageAttributes })));
      expect(error, JSON.stringify(MessageAttributes)).toBeInstanceOf(MalformedMessageError);
      expect((error as MalformedMessageError).retryable).toBe(false);
    }
    expect(() => decodeMessage(incoming(notification({ MessageAttributes: { type: null } })), catalog)).toThrowError(
      "Message m-1 is malformed: its SNS notification's MessageAttributes are not SNS message attributes ('type' is not an object with a string Type and Value). It cannot be processed as sent; fix the producer.",
    );
  });

  it("refuses an envelope whose type disagrees with the 'type' attribute SNS routed it by", () => {
    expect(() => decodeMessage(incoming(envelope(), { type: 'payment.refunded' }), catalog)).toThrowError(
      "Message m-1 is malformed: its envelope says type 'payment.received' but its 'type' message attribute, by which it was routed, says 'payment.refunded'. It cannot be processed as sent; fix the producer.",
    );
    expect(decodeMessage(incoming(envelope(), { type: 'payment.received' }), catalog).type).toBe('payment.received');
  });

  it('refuses an envelope, or a kind attribute, whose kind is not the kind the topology declares', () => {
    expect(() => decodeMessage(incoming(envelope({ kind: 'command' })), catalog)).toThrowError(
      "Message m-1 is malformed: its envelope says it is a command, but 'payment.received' is declared as an event. It cannot be processed as sent; fix the producer.",
    );
    expect(() => decodeMessage(incoming(JSON.stringify(payment), { type: 'payment.received', kind: 'command' }), catalog)).toThrowError(
      'Message m-1 is malformed: its \'kind\' message attribute says "command", but \'payment.received\' is declared as an event. It cannot be processed as sent; fix the producer.',
    );
  });

  it('refuses a dataversion above the version the topology declares, and one that is not a positive integer', () => {
    const newer = failure(incoming(envelope({ dataversion: 2 })));
    expect(newer).toBeInstanceOf(UnsupportedDataVersionError);
    expect((newer as UnsupportedDataVersionError).retryable).toBe(false);
    expect((newer as Error).message).toBe(
      "Message m-1 of type 'payment.received' has dataversion 2, newer than version 1 that this consumer declares; deploy the consumer that handles version 2, then redrive the message from the dead-letter queue.",
    );
    expect(() => decodeMessage(incoming(envelope({ dataversion: 0 })), catalog)).toThrowError(
      'Message m-1 is malformed: it is not a valid CloudEvents envelope: dataversion must be a positive integer. It cannot be processed as sent; fix the producer.',
    );
  });

  it('refuses a time that is not an RFC 3339 timestamp', () => {
    for (const time of ['yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01', '2026-01-01T25:00:00Z']) {
      expect(() => decodeMessage(incoming(envelope({ time })), catalog), time).toThrowError(
        `Message m-1 is malformed: it is not a valid CloudEvents envelope: time ${JSON.stringify(time)} is not an RFC 3339 timestamp. It cannot be processed as sent; fix the producer.`,
      );
    }
    expect(decodeMessage(incoming(envelope({ time: '2026-01-01T10:00:00.5+01:00' })), catalog).time).toBe('2026-01-01T10:00:00.5+01:00');
    expect(decodeMessage(incoming(envelope({ time: '2024-02-29t23:59:60z' })), catalog).time).toBe('2024-02-29t23:59:60z');
  });

  it('takes a body shaped like an SNS notification as published when the message came with attributes of its own (raw delivery)', () => {
    const body = notification({ MessageAttributes: { type: { Type: 'String', Value: 'payment.refunded' } } });
    // Its own attributes win: it is not unwrapped, so it is data of 'payment.received', and not valid data.
    const error = failure(incoming(body, { type: 'payment.received' }));
    expect(error).toBeInstanceOf(SchemaValidationError);
    expect((error as SchemaValidationError).messageType).toBe('payment.received');
  });

  it('takes a body shaped like an SNS notification as published when its only attributes of its own are Binary', () => {
    const body = notification({ MessageAttributes: { type: { Type: 'String', Value: 'payment.refunded' } } });
    const message = { ...incoming(body), messageAttributes: { signature: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) } } };
    // No `type` of its own, and not unwrapped: refused for want of a type rather than routed by the body's.
    expect(() => decodeMessage(message, catalog)).toThrowError(UnknownMessageTypeError);
  });

  it('still unwraps an SNS notification that carries only the failure record of an earlier dead-lettering', () => {
    const body = notification({ MessageAttributes: { type: { Type: 'String', Value: 'payment.refunded' } } });
    expect(decodeMessage(incoming(body, { 'postbox.errorCode': 'HANDLER_ERROR' }), catalog).type).toBe('payment.refunded');
  });
});
