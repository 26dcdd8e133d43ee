import {
  carriedProducerAttributes,
  failureRecordAttributes,
  failureRecordJsonAttribute,
  type FailureRecord,
} from './failure-record.ts';
import { MAX_MESSAGE_ATTRIBUTES, type MessageAttribute, type MessageAttributes } from './message-attributes.ts';
import {
  FAILURE_ATTRIBUTES,
  MESSAGE_KIND_ATTRIBUTE,
  MESSAGE_TYPE_ATTRIBUTE,
  POSTBOX_ATTRIBUTE_PREFIX,
  TRACE_ATTRIBUTES,
} from './wire-contract.ts';

/**
 * The attributes of a message's dead-letter copy: the producer's attributes
 * exactly as they came (data types, binary values), `type`, `kind` and the trace context first,
 * and the failure record. The record takes one attribute per field when they
 * fit within SQS's 10, else the one JSON attribute `postbox.failure`; when the
 * producer's own leave no room even for that, the ones that do not fit travel
 * inside the JSON record, and {@link restoreProducerAttributes} gives them back.
 */
export function deadLetterAttributes(original: MessageAttributes, record: FailureRecord): Record<string, MessageAttribute> {
  const producer = Object.entries(restoreProducerAttributes(original));
  const first = [MESSAGE_TYPE_ATTRIBUTE, MESSAGE_KIND_ATTRIBUTE, TRACE_ATTRIBUTES.traceparent, TRACE_ATTRIBUTES.tracestate];
  const ordered = [
    ...first.flatMap((name) => producer.filter(([candidate]) => candidate === name)),
    ...producer.filter(([name]) => !first.includes(name)),
  ];
  const separate = failureRecordAttributes(record);
  if (ordered.length + Object.keys(separate).length <= MAX_MESSAGE_ATTRIBUTES) return { ...Object.fromEntries(ordered), ...separate };
  const kept = ordered.slice(0, MAX_MESSAGE_ATTRIBUTES - 1);
  const overflow = Object.fromEntries(ordered.slice(MAX_MESSAGE_ATTRIBUTES - 1));
  return { ...Object.fromEntries(kept), [FAILURE_ATTRIBUTES.record]: failureRecordJsonAttribute(record, overflow) };
}

/**
 * The attributes the producer sent, from a dead-letter copy's: its own
 * attributes less Postbox's `postbox.*`, plus those the JSON failure record
 * carries for want of room. A redrive sends the message back with these.
 */
export function restoreProducerAttributes(copy: MessageAttributes): Record<string, MessageAttribute> {
  const own = Object.entries(copy).filter(([name]) => !name.startsWith(POSTBOX_ATTRIBUTE_PREFIX));
  return { ...Object.fromEntries(own), ...carriedProducerAttributes(copy[FAILURE_ATTRIBUTES.record]?.StringValue) };
}
