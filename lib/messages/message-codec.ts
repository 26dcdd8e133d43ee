import { Buffer } from 'node:buffer';
import { safeParse } from 'zod/mini';
import { cloudEventData, type CloudEventData } from './cloud-event-data.ts';
import type { Envelope } from './envelope.ts';
import { isoTimestamp } from './iso-timestamp.ts';
import type { MessageAttributes } from './message-attributes.ts';
import type { CatalogEntry, MessageCatalog } from './message-catalog.ts';
import { sqsJson } from './sqs-json.ts';
import { MESSAGE_KIND_ATTRIBUTE, MESSAGE_TYPE_ATTRIBUTE, POSTBOX_ATTRIBUTE_PREFIX } from './wire-contract.ts';
import {
  MalformedMessageError,
  SchemaValidationError,
  UnknownMessageTypeError,
  UnsupportedDataVersionError,
} from './message-errors.ts';

/** A message as it arrives from SQS, whatever its consumer (Lambda record or ReceiveMessage). */
export interface IncomingMessage {
  readonly messageId: string;
  readonly body: string;
  /** String message attributes, by name. */
  readonly attributes: Readonly<Record<string, string>>;
  /**
   * Every message attribute with its data type and binary values, as the
   * producer sent them (a dead-letter copy keeps them exactly).
   * @default the string `attributes`, typed `String`
   */
  readonly messageAttributes?: MessageAttributes | undefined;
  /** When SQS received it (epoch milliseconds), for messages that carry no time of their own. */
  readonly sentTimestamp?: number | undefined;
}

/** A message ready for SNS or SQS. */
export interface EncodedMessage {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Size as SNS and SQS count it: body plus attribute names, types and values, in bytes. */
  readonly sizeBytes: number;
}

/** Where a message without an envelope says it came from. */
export const EXTERNAL_SOURCE = 'urn:postbox:external';

/**
 * The body SNS and SQS accept for any valid data (U+FFFE and U+FFFF escaped, see sqsJson), and its size:
 * both count a message's attributes (name, data type, value) in it. `extraAttributes` go with `type` and `kind`
 * (the trace context's).
 */
export function encodeMessage(envelope: Envelope, extraAttributes?: Readonly<Record<string, string>>): EncodedMessage {
  const body = sqsJson(envelope);
  const attributes = { [MESSAGE_TYPE_ATTRIBUTE]: envelope.type, [MESSAGE_KIND_ATTRIBUTE]: envelope.kind, ...extraAttributes };
  let sizeBytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    sizeBytes += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value);
  }
  return { body, attributes, sizeBytes };
}

/**
 * Turns an incoming message into a validated envelope, whichever way it was
 * sent: a Postbox (or any CloudEvents) envelope, a plain SNS `Publish` whose
 * body is the data and whose `type` attribute names it, or either of them
 * still wrapped in SNS's notification JSON (subscriptions without raw delivery).
 * Every refusal is non-retryable: the message goes straight to the DLQ.
 * docs/publishing-and-handling.md's decoding table states each decision.
 *
 * @param acceptedTypes the types the consuming queue handles; others are refused
 * @throws MalformedMessageError, UnknownMessageTypeError, UnsupportedDataVersionError, SchemaValidationError
 */
export function decodeMessage(message: IncomingMessage, catalog: MessageCatalog, acceptedTypes?: ReadonlySet<string>): Envelope {
  return decodeIncoming(message, catalog, acceptedTypes).envelope;
}

/**
 * {@link decodeMessage}, with the message attributes it read: the SQS message's own, or those of the SNS
 * notification its body wraps (a subscription without raw delivery), where the trace context travels too.
 */
export function decodeIncoming(
  message: IncomingMessage,
  catalog: MessageCatalog,
  acceptedTypes?: ReadonlySet<string>,
): { readonly envelope: Envelope; readonly attributes: Readonly<Record<string, string>> } {
  let parsed = parseJson(message.messageId, message.body, 'body');
  let attributes = message.attributes;
  // SNS without raw delivery sets no SQS message attributes; with its own, the body is as published, whatever its shape.
  if (isSnsNotification(parsed) && !hasProducerAttributes(message.messageAttributes ?? attributes)) {
    attributes = snsAttributes(message.messageId, parsed.MessageAttributes);
    parsed = parseJson(message.messageId, parsed.Message, 'SNS notification Message');
  }
  const header = isEnvelopeLike(parsed) ? checkEnvelope(message.messageId, parsed) : undefined;
  const typeAttribute = attributes[MESSAGE_TYPE_ATTRIBUTE];
  const type = header ? header.type : requireTypeAttribute(message.messageId, typeAttribute);
  if (header && typeAttribute !== undefined && typeAttribute !== type) {
    throw new MalformedMessageError(
      message.messageId,
      `its envelope says type '${type}' but its '${MESSAGE_TYPE_ATTRIBUTE}' message attribute, by which it was routed, says '${typeAttribute}'`,
    );
  }

  const entry = catalog.get(type);
  if (entry === undefined) throw new UnknownMessageTypeError(message.messageId, type, 'is not declared in the topology');
  checkKind(message.messageId, entry, header?.kind, attributes[MESSAGE_KIND_ATTRIBUTE]);
  if (header?.dataversion !== undefined && header.dataversion > entry.version) {
    throw new UnsupportedDataVersionError(message.messageId, type, header.dataversion, entry.version);
  }
  if (acceptedTypes && !acceptedTypes.has(type)) {
    throw new UnknownMessageTypeError(message.messageId, type, 'this queue does not handle');
  }
  const result = safeParse(entry.schema, header ? cloudEventData(message.messageId, header) : parsed);
  if (!result.success) {
    throw new SchemaValidationError(
      message.messageId,
      type,
      result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(data)'}: ${issue.message}`),
    );
  }
  // A plain message (a plain SNS Publish) has no envelope: its SQS message id and send time stand in.
  const id = header ? header.id : message.messageId;
  const envelope: { -readonly [K in keyof Envelope]: Envelope[K] } = {
    specversion: '1.0',
    id,
    source: header ? header.source : EXTERNAL_SOURCE,
    type,
    time: header?.time ?? isoTimestamp(message.sentTimestamp ?? Date.now()),
    datacontenttype: 'application/json',
    data: result.data,
    kind: entry.kind,
    correlationid: header?.correlationid ?? id,
    dataversion: header?.dataversion ?? entry.version,
  };
  // Set only when sent: no undefined fields in what handlers see and log; assigned, not spread (see `npm run bench`).
  if (header?.dataschema !== undefined) envelope.dataschema = header.dataschema;
  if (header?.causationid !== undefined) envelope.causationid = header.causationid;
  if (header?.replyto !== undefined) envelope.replyto = header.replyto;
  return { envelope, attributes };
}

function parseJson(messageId: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedMessageError(messageId, `its ${what} is not valid JSON (${(error as Error).message})`);
  }
}

interface SnsNotification {
  Type: 'Notification';
  Message: string;
  TopicArn: string;
  MessageAttributes?: unknown;
}

function isSnsNotification(value: unknown): value is SnsNotification {
  const candidate = value as Partial<SnsNotification> | null;
  return candidate?.Type === 'Notification' && typeof candidate.Message === 'string' && typeof candidate.TopicArn === 'string';
}

/** Attributes other than a failure record Postbox itself added when it dead-lettered the message. */
function hasProducerAttributes(attributes: Readonly<Record<string, unknown>>): boolean {
  for (const name in attributes) if (!name.startsWith(POSTBOX_ATTRIBUTE_PREFIX)) return true;
  return false;
}

/** The String attributes of a notification; SNS writes each as `{ Type, Value }`, Value a string whatever the Type. */
function snsAttributes(messageId: string, attributes: unknown): Record<string, string> {
  const strings: Record<string, string> = {};
  if (attributes === undefined) return strings;
  const malformed = (why: string) =>
    new MalformedMessageError(messageId, `its SNS notification's MessageAttributes are not SNS message attributes (${why})`);
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) throw malformed('not an object');
  for (const [name, attribute] of Object.entries(attributes)) {
    const { Type, Value } = (attribute ?? {}) as { Type?: unknown; Value?: unknown };
    if (typeof attribute !== 'object' || typeof Type !== 'string' || typeof Value !== 'string') {
      throw malformed(`'${name}' is not an object with a string Type and Value`);
    }
    if (Type === 'String') strings[name] = Value;
  }
  return strings;
}

function isEnvelopeLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'specversion' in value;
}

/** The envelope fields an incoming CloudEvents message carries; the rest come from the catalog. */
interface EnvelopeHeader extends CloudEventData {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time?: string;
  readonly dataschema?: string;
  readonly replyto?: string;
  readonly kind?: Envelope['kind'];
  readonly correlationid?: string;
  readonly causationid?: string;
  readonly dataversion?: number;
}

/**
 * Checks the envelope by hand rather than with a schema: this runs for every
 * record and the checks are a handful of typeofs (see `npm run bench`).
 */
function checkEnvelope(messageId: string, value: Record<string, unknown>): EnvelopeHeader {
  const problems: string[] = [];
  if (value.specversion !== '1.0') problems.push(`specversion is ${JSON.stringify(value.specversion)}, expected "1.0"`);
  for (const field of ['id', 'source', 'type'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') problems.push(`${field} must be a non-empty string`);
  }
  for (const field of ['time', 'correlationid', 'causationid', 'dataschema', 'replyto'] as const) {
    if (value[field] !== undefined && typeof value[field] !== 'string') problems.push(`${field} must be a string`);
  }
  if (value.data != null && value.data_base64 != null) problems.push('data and data_base64 are both present; send one');
  if (typeof value.time === 'string' && !isRfc3339Timestamp(value.time)) problems.push(`time ${JSON.stringify(value.time)} is not an RFC 3339 timestamp`);
  if (value.kind !== undefined && value.kind !== 'event' && value.kind !== 'command') problems.push(`kind must be "event" or "command"`);
  if (value.dataversion !== undefined && !(Number.isInteger(value.dataversion) && (value.dataversion as number) >= 1)) {
    problems.push('dataversion must be a positive integer');
  }
  if (problems.length > 0) throw new MalformedMessageError(messageId, `it is not a valid CloudEvents envelope: ${problems.join('; ')}`);
  return value as unknown as EnvelopeHeader;
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two or four digits at a position the pattern has checked, as a number: no match array per message (see `npm run bench`). */
const digits = (text: string, at: number, count: number) => {
  let value = 0;
  for (let i = at; i < at + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
};

/** CloudEvents' `time` is an RFC 3339 timestamp; a real calendar day, which Date.parse does not check (it takes 02-30). */
function isRfc3339Timestamp(time: string): boolean {
  if (!RFC_3339.test(time)) return false;
  const year = digits(time, 0, 4);
  const month = digits(time, 5, 2);
  const day = digits(time, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** Made only for a refusal, by a plain function: checkKind runs for every record. */
const declaredKind = (entry: CatalogEntry) => `'${entry.type}' is declared as ${entry.kind === 'event' ? 'an event' : 'a command'}`;

/** The kind is the catalog's; an envelope or a `kind` attribute that says otherwise contradicts the type. */
function checkKind(messageId: string, entry: CatalogEntry, envelopeKind: string | undefined, kindAttribute: string | undefined): void {
  if (envelopeKind !== undefined && envelopeKind !== entry.kind) {
    throw new MalformedMessageError(messageId, `its envelope says it is ${envelopeKind === 'event' ? 'an event' : 'a command'}, but ${declaredKind(entry)}`);
  }
  if (kindAttribute !== undefined && kindAttribute !== entry.kind) {
    throw new MalformedMessageError(messageId, `its '${MESSAGE_KIND_ATTRIBUTE}' message attribute says ${JSON.stringify(kindAttribute)}, but ${declaredKind(entry)}`);
  }
}

/** A plain SNS/SQS message: its body is the data, its `type` attribute names it. */
function requireTypeAttribute(messageId: string, type: string | undefined): string {
  if (type === undefined || type === '') {
    throw new UnknownMessageTypeError(
      messageId,
      undefined,
      `its body is not a CloudEvents envelope and it has no '${MESSAGE_TYPE_ATTRIBUTE}' message attribute to say what it is`,
    );
  }
  return type;
}
