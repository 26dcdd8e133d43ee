import { describe, expect, it } from 'vitest';
import { fromSqsRecord, toSqsRecord } from '../../lib/runtime/consuming/lambda/sqs-record.ts';

const arn = 'arn:aws:sqs:us-east-1:000000000000:billing';
const message = (attributes: Record<string, string>) => ({ MessageId: 'm-1', ReceiptHandle: 'r', Body: '{}', Attributes: { ApproximateReceiveCount: '1', ...attributes } });

describe('the Lambda SQS record of a received message (local event source)', () => {
  it("keeps X-Ray's AWSTraceHeader system attribute, as Lambda's event source mapping does", () => {
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    expect(toSqsRecord(message({ AWSTraceHeader: header }), arn, 'us-east-1').attributes.AWSTraceHeader).toBe(header);
  });

  it('has no AWSTraceHeader when the message was sent without X-Ray tracing', () => {
    expect(toSqsRecord(message({}), arn, 'us-east-1').attributes).not.toHaveProperty('AWSTraceHeader');
  });
});

describe('the message of a Lambda SQS record', () => {
  it('reads each record its own SentTimestamp, whether the one before had the same or another', () => {
    const sentAt = (SentTimestamp: string) => fromSqsRecord(toSqsRecord(message({ SentTimestamp }), arn, 'us-east-1'), 0).sentTimestamp;
    expect(['1700000000000', '1700000000000', '1700000000123', '1700000000000', '0'].map(sentAt)).toEqual([
      1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_123, 1_700_000_000_000, 0,
    ]);
  });
});
