import type { Message } from '@aws-sdk/client-sqs';
import type { SQSRecord, SQSMessageAttributes } from 'aws-lambda';
import type { ReceivedMessage } from '../message-processor.ts';

/** A Lambda SQS record as the processor sees it. */
export function fromSqsRecord(record: SQSRecord): ReceivedMessage {
  const attributes: Record<string, string> = {};
  const messageAttributes = record.messageAttributes;
  for (const name in messageAttributes) {
    const value = messageAttributes[name]!.stringValue;
    if (value !== undefined) attributes[name] = value;
  }
  const { ApproximateReceiveCount, ApproximateFirstReceiveTimestamp, MessageGroupId, SentTimestamp } = record.attributes;
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    attributes,
    receiveCount: Number(ApproximateReceiveCount) || 1,
    groupId: MessageGroupId,
    sentTimestamp: SentTimestamp === undefined ? undefined : Number(SentTimestamp),
    firstReceivedAt: Number(ApproximateFirstReceiveTimestamp) || Date.now(),
  };
}

/**
 * The Lambda SQS record for a message received with ReceiveMessage (all
 * attributes requested), as Lambda's event source mapping builds it.
 */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const system = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, attribute] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: attribute.DataType ?? 'String',
      ...(attribute.StringValue !== undefined && { stringValue: attribute.StringValue }),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(system.MessageGroupId && { MessageGroupId: system.MessageGroupId }),
      ...(system.MessageDeduplicationId && { MessageDeduplicationId: system.MessageDeduplicationId }),
      ...(system.SequenceNumber && { SequenceNumber: system.SequenceNumber }),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
