import { describe, expect, it } from 'vitest';
import { deadLetterAttributes, restoreProducerAttributes } from '../../lib/messages/dead-letter-copy.ts';
import { readFailureRecord, type FailureRecord } from '../../lib/messages/failure-record.ts';
import { FAILURE_ATTRIBUTES } from '../../lib/messages/wire-contract.ts';
import { MAX_MESSAGE_ATTRIBUTES, messageSizeBytes, type MessageAttributes } from '../../lib/messages/message-attributes.ts';

const record: FailureRecord = {
  errorCode: 'SCHEMA_VALIDATION_FAILED',
  errorMessage: 'amountCents: Too small',
  handler: 'accounting/payment.received',
  attempt: 2,
  failedAt: '2026-11-22T12:00:00.000Z',
  sourceMessageId: 'm-1',
};

/** `count` producer attributes of every kind, `type` last, as a producer may order them. */
function producerAttributes(count: number): MessageAttributes {
  const kinds = [
    { DataType: 'Number.cents', StringValue: '1200' },
    { DataType: 'Binary', BinaryValue: new Uint8Array([0, 255, 7]) },
    { DataType: 'String.region', StringValue: 'eu-west-1' },
    { DataType: 'Binary.png', BinaryValue: new Uint8Array([137, 80, 78, 71]) },
    { DataType: 'Number', StringValue: '-3.5' },
  ];
  const attributes: Record<string, MessageAttributes[string]> = {};
  for (let i = 0; i < count - 1; i++) attributes[`attr${i}`] = kinds[i % kinds.length]!;
  attributes.type = { DataType: 'String', StringValue: 'payment.received' };
  return attributes;
}

const strings = (attributes: MessageAttributes) => Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value.StringValue]));

describe('deadLetterAttributes', () => {
  it('keeps a few producer attributes exactly and adds the record one attribute per field', () => {
    const original = producerAttributes(4);
    const copy = deadLetterAttributes(original, record);
    expect(Object.keys(copy)).toEqual([
      'type',
      'attr0',
      'attr1',
      'attr2',
      'postbox.errorCode',
      'postbox.errorMessage',
      'postbox.handler',
      'postbox.attempt',
      'postbox.failedAt',
      'postbox.sourceMessageId',
    ]);
    for (const name of Object.keys(original)) expect(copy[name]).toEqual(original[name]);
    expect(copy['postbox.attempt']).toEqual({ DataType: 'Number', StringValue: '2' });
    expect(readFailureRecord(strings(copy))).toEqual(record);
  });

  it.each([5, 9])('keeps all %i producer attributes and puts the record in one JSON attribute when the fields would pass 10', (count) => {
    const original = producerAttributes(count);
    const copy = deadLetterAttributes(original, record);
    expect(Object.keys(copy)).toHaveLength(count + 1);
    expect(Object.keys(copy)[0]).toBe('type');
    for (const name of Object.keys(original)) expect(copy[name]).toEqual(original[name]);
    expect(Object.keys(copy).filter((name) => name.startsWith('postbox.'))).toEqual([FAILURE_ATTRIBUTES.record]);
    expect(readFailureRecord(strings(copy))).toEqual(record);
    expect(restoreProducerAttributes(copy)).toEqual(original);
  });

  it('keeps type and kind and as many as fit when the producer used all 10, and carries the rest in the record', () => {
    const original: MessageAttributes = { ...producerAttributes(9), kind: { DataType: 'String', StringValue: 'event' } };
    expect(Object.keys(original)).toHaveLength(MAX_MESSAGE_ATTRIBUTES);
    const copy = deadLetterAttributes(original, record);
    expect(Object.keys(copy)).toHaveLength(MAX_MESSAGE_ATTRIBUTES);
    expect(Object.keys(copy).slice(0, 2)).toEqual(['type', 'kind']);
    expect(copy.type).toEqual(original.type);
    expect(readFailureRecord(strings(copy))).toEqual(record);
    expect(restoreProducerAttributes(copy)).toEqual(original);
  });

  it('replaces an earlier failure record and keeps what it carried when a redriven message fails again', () => {
    const original: MessageAttributes = { ...producerAttributes(9), kind: { DataType: 'String', StringValue: 'event' } };
    const first = deadLetterAttributes(original, record);
    const again = deadLetterAttributes(first, { ...record, attempt: 1, sourceMessageId: 'm-2' });
    expect(readFailureRecord(strings(again))).toEqual({ ...record, attempt: 1, sourceMessageId: 'm-2' });
    expect(restoreProducerAttributes(again)).toEqual(original);
  });
});

describe('restoreProducerAttributes', () => {
  it('drops the separate failure record attributes and keeps the rest as they are', () => {
    const original = producerAttributes(3);
    expect(restoreProducerAttributes(deadLetterAttributes(original, record))).toEqual(original);
  });
});

describe('messageSizeBytes', () => {
  it('counts the body and every attribute name, data type and value in UTF-8 bytes, binary values by their length', () => {
    expect(
      messageSizeBytes('é', { type: { DataType: 'String', StringValue: 'ü' }, blob: { DataType: 'Binary.x', BinaryValue: new Uint8Array(5) } }),
    ).toBe(2 + (4 + 6 + 2) + (4 + 8 + 5));
  });
});
