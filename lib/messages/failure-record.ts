import { Buffer } from 'node:buffer';
import { attributeText } from './attribute-text.ts';
import { isBinaryAttribute, type MessageAttribute, type MessageAttributes } from './message-attributes.ts';
import { sqsJson } from './sqs-json.ts';
import { FAILURE_ATTRIBUTES } from './wire-contract.ts';

/**
 * The record Postbox keeps on a message it dead-letters itself: why it failed,
 * where, and which message it was on its source queue. It travels as
 * `postbox.*` message attributes on the DLQ copy; when the producer's own
 * attributes leave no room for one attribute per field (SQS allows 10), the
 * whole record travels as JSON in the one attribute `postbox.failure`.
 */
export interface FailureRecord {
  readonly errorCode: string;
  readonly errorMessage: string;
  /** `<queue>/<message type>`: who failed. */
  readonly handler: string;
  /** Attempts on the source queue, the failed one included. */
  readonly attempt: number;
  /** ISO 8601. */
  readonly failedAt: string;
  /** The SQS message id on the source queue; copies of one message share it. */
  readonly sourceMessageId: string;
}

/** Attribute values count toward the message size: a reason needs no more. */
const MAX_ERROR_MESSAGE_BYTES = 1024;
const MAX_FIELD_BYTES = 256;

/**
 * A failure record whose text SQS accepts: characters it refuses replaced,
 * the reason cut to 1 KiB and the other fields to 256 bytes of UTF-8.
 */
export function failureRecord(fields: FailureRecord): FailureRecord {
  return {
    errorCode: attributeText(fields.errorCode, MAX_FIELD_BYTES),
    errorMessage: attributeText(fields.errorMessage, MAX_ERROR_MESSAGE_BYTES),
    handler: attributeText(fields.handler, MAX_FIELD_BYTES),
    attempt: fields.attempt,
    failedAt: attributeText(fields.failedAt, MAX_FIELD_BYTES),
    sourceMessageId: attributeText(fields.sourceMessageId, MAX_FIELD_BYTES),
  };
}

/** The record as one attribute per field (`postbox.attempt` is a Number). */
export function failureRecordAttributes(record: FailureRecord): Record<string, MessageAttribute> {
  const attributes: Record<string, MessageAttribute> = {};
  for (const field of ['errorCode', 'errorMessage', 'handler', 'attempt', 'failedAt', 'sourceMessageId'] as const) {
    attributes[FAILURE_ATTRIBUTES[field]] = { DataType: field === 'attempt' ? 'Number' : 'String', StringValue: String(record[field]) };
  }
  return attributes;
}

/** A producer attribute carried inside the JSON record: binary values as base64. */
interface CarriedAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/**
 * The record as the one JSON attribute `postbox.failure`, carrying the
 * producer attributes that did not fit beside it (`producerAttributes`).
 */
export function failureRecordJsonAttribute(record: FailureRecord, overflow: MessageAttributes = {}): MessageAttribute {
  const producerAttributes: Record<string, CarriedAttribute> = {};
  for (const [name, attribute] of Object.entries(overflow)) {
    const DataType = attribute.DataType ?? 'String';
    producerAttributes[name] = isBinaryAttribute(attribute)
      ? { DataType, BinaryValue: Buffer.from(attribute.BinaryValue ?? new Uint8Array()).toString('base64') }
      : { DataType, StringValue: attribute.StringValue ?? '' };
  }
  const json = Object.keys(producerAttributes).length > 0 ? { ...record, producerAttributes } : record;
  // A carried value holds what its emulator let through (moto takes U+FFFE); SQS must take the copy.
  return { DataType: 'String', StringValue: sqsJson(json) };
}

/** The producer attributes a JSON record carries, as they were; none when it carries none or is no record. */
export function carriedProducerAttributes(json: string | undefined): Record<string, MessageAttribute> {
  const carried = parseRecord(json).producerAttributes;
  if (!carried || typeof carried !== 'object') return {};
  const attributes: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(carried as Record<string, Partial<CarriedAttribute>>)) {
    if (typeof value?.DataType !== 'string') continue;
    attributes[name] =
      typeof value.BinaryValue === 'string'
        ? { DataType: value.DataType, BinaryValue: new Uint8Array(Buffer.from(value.BinaryValue, 'base64')) }
        : { DataType: value.DataType, StringValue: String(value.StringValue ?? '') };
  }
  return attributes;
}

function parseRecord(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    // A producer's malformed attribute of that name is no record.
    return {};
  }
}

/**
 * What a dead-lettered message says of its failure, from either form; the
 * fields it does not carry are absent (a message the redrive policy moved
 * carries none: it failed by crash or timeout, not in a handler).
 */
export function readFailureRecord(attributes: Readonly<Record<string, string | undefined>>): Partial<FailureRecord> {
  const fromJson: Partial<Record<keyof FailureRecord, unknown>> = parseRecord(attributes[FAILURE_ATTRIBUTES.record]);
  const text = (field: Exclude<keyof FailureRecord, 'attempt'>) => {
    const value = fromJson[field] ?? attributes[FAILURE_ATTRIBUTES[field]];
    return typeof value === 'string' ? value : undefined;
  };
  const attempt = Number(fromJson.attempt ?? attributes[FAILURE_ATTRIBUTES.attempt]);
  const record = {
    errorCode: text('errorCode'),
    errorMessage: text('errorMessage'),
    handler: text('handler'),
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
    failedAt: text('failedAt'),
    sourceMessageId: text('sourceMessageId'),
  };
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<FailureRecord>;
}
