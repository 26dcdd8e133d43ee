import { Buffer } from 'node:buffer';
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSRecord, SQSMessageAttributes } from 'aws-lambda';
import type { MessageAttribute } from '../../../messages/message-attributes.ts';
import type { ReceivedMessage } from '../message-processor.ts';

/**
 * A Lambda SQS record as the processor sees it. `receivedAt`: when Lambda's
 * poller received it, at the latest (the record does not say).
 */
export function fromSqsRecord(record: SQSRecord, receivedAt: number): ReceivedMessage {
  return new LambdaRecordMessage(record, receivedAt);
}

/**
 * A class rather than an object literal with a getter: a literal's accessor is
 * made anew for every record, and this is made for every record (see `npm run bench`).
 */
class LambdaRecordMessage implements ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Record<string, string> = {};
  readonly receiveCount: number;
  readonly groupId: string | undefined;
  readonly sentTimestamp: number | undefined;
  // Made only when a record is dead-lettered: most never are.
  private typed: Record<string, MessageAttribute> | undefined;

  constructor(
    private readonly record: SQSRecord,
    readonly receivedAt: number,
  ) {
    this.messageId = record.messageId;
    this.receiptHandle = record.receiptHandle;
    this.body = record.body;
    const recordAttributes = record.messageAttributes;
    for (const name in recordAttributes) {
      const value = recordAttributes[name]!.stringValue;
      if (value !== undefined) this.attributes[name] = value;
    }
    const { ApproximateReceiveCount, MessageGroupId, SentTimestamp } = record.attributes;
    this.receiveCount = Number(ApproximateReceiveCount) || 1;
    this.groupId = MessageGroupId;
    this.sentTimestamp = SentTimestamp === undefined ? undefined : sentTimestampOf(SentTimestamp);
  }

  get messageAttributes(): Record<string, MessageAttribute> {
    this.typed ??= typedAttributes(this.record.messageAttributes);
    return this.typed;
  }
}

/** The last SentTimestamp read: the records of a batch often share it (one PublishBatch, one millisecond). */
let lastSentText = '';
let lastSentMs = 0;

/** Number(text), remembered: a 13-digit string is no array index, so V8 parses it anew each time (see `npm run bench`). */
function sentTimestampOf(text: string): number {
  if (text !== lastSentText) {
    lastSentMs = Number(text);
    lastSentText = text;
  }
  return lastSentMs;
}

/** Lambda gives binary values in base64. */
function typedAttributes(recordAttributes: SQSMessageAttributes): Record<string, MessageAttribute> {
  const typed: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(recordAttributes)) {
    typed[name] = {
      DataType: value.dataType,
      ...(value.stringValue !== undefined && { StringValue: value.stringValue }),
      ...(value.binaryValue !== undefined && { BinaryValue: new Uint8Array(Buffer.from(value.binaryValue, 'base64')) }),
    };
  }
  return typed;
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
      ...(attribute.BinaryValue !== undefined && { binaryValue: Buffer.from(attribute.BinaryValue).toString('base64') }),
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
      ...(system.AWSTraceHeader && { AWSTraceHeader: system.AWSTraceHeader }),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
