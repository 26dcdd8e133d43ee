import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

/**
 * A Lambda handler that does no work yet. It says so and reports every record
 * as failed, so SQS keeps the messages (and in time dead-letters them) instead
 * of deleting work nobody did.
 */
export function placeholderHandler(name: string) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    console.warn(JSON.stringify({ level: 'warn', handler: name, records: event.Records.length, message: `${name} is not implemented yet; records left on the queue` }));
    return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
  });
}
