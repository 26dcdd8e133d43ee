import type { SQSRecord } from 'aws-lambda';

/** An SQS record as Lambda's event source hands it over: its data as the body, its type as the `type` attribute. */
export function sqsRecord(messageId: string, type: string, data: unknown, groupId?: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `r-${messageId}`,
    body: JSON.stringify(data),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1795380000000',
      SenderId: 's',
      ApproximateFirstReceiveTimestamp: '1795380000000',
      ...(groupId && { MessageGroupId: groupId }),
    },
    messageAttributes: { type: { dataType: 'String', stringValue: type, stringListValues: [], binaryListValues: [] } },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  };
}
