import type { SQSRecord } from 'aws-lambda';
import { PostboxError } from '../../../postbox-error.ts';

/** What a Lambda SQS event source hands over, the only event a Postbox handler takes. */
const EXPECTED =
  "an SQS batch: { Records: [...] } where each record has eventSource 'aws:sqs', string messageId, receiptHandle and body, and objects attributes and messageAttributes";

/**
 * The handler was invoked with something other than an SQS batch: often a
 * function subscribed straight to a topic, or invoked by hand. Nothing was processed.
 */
export class NotAnSqsEventError extends PostboxError {
  readonly code = 'NOT_AN_SQS_EVENT';

  constructor(
    readonly queueName: string,
    /** What the event was, in words. */
    readonly received: string,
    hint: string,
  ) {
    super(`The handler of queue '${queueName}' received ${received}; it expects ${EXPECTED}. Nothing was processed. ${hint}`);
  }
}

const SQS_SOURCE = 'aws:sqs';
const MAP_THE_QUEUE = "Map the function to the queue with an SQS event source (LambdaConsumer does); don't invoke it with other events.";

/**
 * The records of `event` when it is an SQS batch as Lambda's event source
 * mapping sends it; otherwise throws NotAnSqsEventError saying what it was.
 * A few type checks per record: the records are read on the hot path.
 */
export function sqsRecordsOf(event: unknown, queueName: string): readonly SQSRecord[] {
  const records = (event as { Records?: unknown } | null | undefined)?.Records;
  if (!Array.isArray(records)) throw new NotAnSqsEventError(queueName, describeEvent(event), MAP_THE_QUEUE);
  for (let index = 0; index < records.length; index++) {
    const record = records[index] as Record<string, unknown> | null;
    if (isSqsRecord(record)) continue;
    const source = sourceOf(record);
    if (source !== SQS_SOURCE) {
      const what = source === 'aws:sns' ? 'an SNS notification' : source === undefined ? 'a record without an event source' : `a record from '${source}'`;
      throw new NotAnSqsEventError(
        queueName,
        `${what} (record ${index + 1} of ${records.length})`,
        source === 'aws:sns'
          ? 'Is the function subscribed to the topic directly? Subscribe the queue to the topic, and map the function to the queue (LambdaConsumer does).'
          : MAP_THE_QUEUE,
      );
    }
    const missing = missingField(record as Record<string, unknown>);
    if (missing) throw new NotAnSqsEventError(queueName, `an SQS batch whose record ${index + 1} of ${records.length} has ${missing}`, MAP_THE_QUEUE);
  }
  return records as SQSRecord[];
}

/** The fields Postbox reads, as Lambda's SQS event source gives them: the path every record takes, so no loops. */
function isSqsRecord(record: Record<string, unknown> | null): boolean {
  return (
    typeof record === 'object' &&
    record !== null &&
    record.eventSource === SQS_SOURCE &&
    typeof record.messageId === 'string' &&
    typeof record.receiptHandle === 'string' &&
    typeof record.body === 'string' &&
    isObject(record.attributes) &&
    isObject(record.messageAttributes)
  );
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first field of an SQS record that is absent or of the wrong kind, in words. */
function missingField(record: Record<string, unknown>): string | undefined {
  for (const name of ['messageId', 'receiptHandle', 'body'] as const) {
    if (typeof record[name] !== 'string') return `no string ${name} (${describeValue(record[name])})`;
  }
  for (const name of ['attributes', 'messageAttributes'] as const) {
    if (!isObject(record[name])) return `no object ${name} (${describeValue(record[name])})`;
  }
  return undefined;
}

/** Lambda's own sources name themselves `eventSource`; SNS writes `EventSource`. */
function sourceOf(record: unknown): unknown {
  if (typeof record !== 'object' || record === null) return undefined;
  const { eventSource, EventSource } = record as { eventSource?: unknown; EventSource?: unknown };
  return eventSource ?? EventSource;
}

function describeEvent(event: unknown): string {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return describeValue(event);
  const keys = Object.keys(event);
  if (keys.length === 0) return 'an empty object';
  if ('httpMethod' in event || 'routeKey' in event || 'requestContext' in event) return 'an HTTP request (API Gateway or function URL)';
  if ('detail-type' in event) return 'an EventBridge event';
  const shown = keys.slice(0, 5).join(', ');
  return `an object without Records (its keys: ${shown}${keys.length > 5 ? ', ...' : ''})`;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}
