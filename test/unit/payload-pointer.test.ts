import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../lib/messages/message-errors.ts';
import {
  carriesPayloadPointer,
  deliveryForm,
  payloadExpiryDays,
  payloadObjectKey,
  payloadPointerBody,
  payloadSizeAttribute,
  readPayloadPointer,
  withoutPayloadSize,
} from '../../lib/messages/payload-pointer.ts';

describe('the payload pointer (claim check)', () => {
  it('is written byte for byte as the AWS extended client libraries write it', () => {
    expect(payloadPointerBody({ bucket: 'orders-dev-payloads', key: 'payloads/e-1/u-1' })).toBe(
      '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"orders-dev-payloads","s3Key":"payloads/e-1/u-1"}]',
    );
    expect(payloadSizeAttribute('é'.repeat(10))).toEqual({ ExtendedPayloadSize: { DataType: 'Number', StringValue: '20' } });
  });

  it('reads the pointers of the extended client libraries, and its own', () => {
    const java = '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"their-bucket","s3Key":"0b7c4c31-0f2c-4d0e-9b7d-7c1d2f7f9a10"}]';
    expect(readPayloadPointer('m-1', java)).toEqual({ bucket: 'their-bucket', key: '0b7c4c31-0f2c-4d0e-9b7d-7c1d2f7f9a10' });
    const own = { bucket: 'b', key: payloadObjectKey('payloads', 'e/1', 'u') };
    expect(readPayloadPointer('m-1', payloadPointerBody(own))).toEqual(own);
  });

  it('refuses, as malformed, a body that is not a pointer though the size attribute says so', () => {
    for (const body of ['{"specversion":"1.0"}', 'not json', '["other.Class",{"s3BucketName":"b","s3Key":"k"}]', '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"b"}]']) {
      expect(() => readPayloadPointer('m-2', body)).toThrowError(MalformedMessageError);
    }
    expect(() => readPayloadPointer('m-2', 'not json')).toThrowError(/Message m-2 is malformed: it carries the ExtendedPayloadSize attribute .* but its body is not JSON/);
  });

  it('is recognised by its size attribute, or the older clients’ SQSLargePayloadSize, and by nothing else', () => {
    expect(carriesPayloadPointer({ type: 'payment.received', ExtendedPayloadSize: '700000' })).toBe(true);
    expect(carriesPayloadPointer({ SQSLargePayloadSize: '700000' })).toBe(true);
    expect(carriesPayloadPointer({ type: 'payment.received', kind: 'event' })).toBe(false);
    expect(withoutPayloadSize({ type: 't', ExtendedPayloadSize: '1', SQSLargePayloadSize: '1' })).toEqual({ type: 't' });
  });

  it('keys each payload under the prefix and its message id, uniquely, whatever the id holds', () => {
    expect(payloadObjectKey('payloads', 'e-1', 'u-1')).toBe('payloads/e-1/u-1');
    expect(payloadObjectKey('payloads', '../a b', 'u-2')).toBe('payloads/..%2Fa%20b/u-2');
  });
});

describe('the delivery form of a serialized message', () => {
  it('sends whole what fits, offloads what does not when there is a bucket, and refuses it otherwise', () => {
    expect(deliveryForm(262_144, 262_144, true)).toBe('inline');
    expect(deliveryForm(262_145, 262_144, true)).toBe('offload');
    expect(deliveryForm(262_145, 262_144, false)).toBe('too-large');
    expect(deliveryForm(100, 262_144, false)).toBe('inline');
  });
});

describe('the payload expiry', () => {
  it("outlives the longest stay on a main queue and then in its DLQ, by a day's margin", () => {
    const day = 86_400;
    expect(payloadExpiryDays([{ retentionSeconds: 4 * day, deadLetterRetentionSeconds: 14 * day }])).toBe(19);
    expect(payloadExpiryDays([{ retentionSeconds: 4 * day, deadLetterRetentionSeconds: 14 * day }, { retentionSeconds: 14 * day, deadLetterRetentionSeconds: 14 * day }])).toBe(29);
    expect(payloadExpiryDays([{ retentionSeconds: 60, deadLetterRetentionSeconds: 60 }])).toBe(2);
  });
});
