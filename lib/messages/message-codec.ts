import { Buffer } from 'node:buffer';
import { safeParse } from 'zod/mini';
import { MESSAGE_KIND_ATTRIBUTE, MESSAGE_TYPE_ATTRIBUTE } from '../topology/filter-policy.ts';
import type { Envelope } from './envelope.ts';
import { isoTimestamp } from './iso-timestamp.ts';
import type { MessageCatalog } from './message-catalog.ts';
import { MalformedMessageError, MessageTooLargeError, SchemaValidationError, UnknownMessageTypeError } from './message-errors.ts';

/** A message as it arrives from SQS, whatever its consumer (Lambda record or ReceiveMessage). */
export interface IncomingMessage {
  readonly messageId: string;
  readonly body: string;
  /** String message attributes, by name. */
  readonly attributes: Readonly<Record<string, string>>;
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

/** SNS and SQS both count a message's attributes (name, data type, value) in its size. */
export function encodeMessage(envelope: Envelope): EncodedMessage {
  const body = JSON.stringify(envelope);
  const attributes = { [MESSAGE_TYPE_ATTRIBUTE]: envelope.type, [MESSAGE_KIND_ATTRIBUTE]: envelope.kind };
  let sizeBytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    sizeBytes += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value);
  }
  return { body, attributes, sizeBytes };
}

export function assertWithinSize(envelope: Envelope, encoded: EncodedMessage, limitBytes: number, destination: string): void {
  if (encoded.sizeBytes > limitBytes) {
    throw new MessageTooLargeError(envelope.id, envelope.type, encoded.sizeBytes, limitBytes, destination);
  }
}

/**
 * Turns an incoming message into a validated envelope, whichever way it was
 * sent: a Postbox (or any CloudEvents) envelope, a plain SNS `Publish` whose
 * body is the data and whose `type` attribute names it, or either of them
 * still wrapped in SNS's notification JSON (subscriptions without raw delivery).
 *
 * @param acceptedTypes the types the consuming queue handles; others are refused
 * @throws MalformedMessageError, UnknownMessageTypeError, SchemaValidationError: all non-retryable
 */
export function decodeMessage(message: IncomingMessage, catalog: MessageCatalog, acceptedTypes?: ReadonlySet<string>): Envelope {
  let parsed = parseJson(message.messageId, message.body, 'body');
  let attributes = message.attributes;
  if (isSnsNotification(parsed)) {
    attributes = { ...attributes, ...snsAttributes(parsed.MessageAttributes) };
    parsed = parseJson(message.messageId, parsed.Message, 'SNS notification Message');
  }
  const header = isEnvelopeLike(parsed) ? checkEnvelope(message.messageId, parsed) : undefined;
  const type = header ? header.type : typeAttribute(message.messageId, attributes);

  const entry = catalog.get(type);
  if (entry === undefined) throw new UnknownMessageTypeError(message.messageId, type, 'is not declared in the topology');
  if (acceptedTypes && !acceptedTypes.has(type)) {
    throw new UnknownMessageTypeError(message.messageId, type, 'this queue does not handle');
  }
  const result = safeParse(entry.schema, header ? header.data : parsed);
  if (!result.success) {
    throw new SchemaValidationError(
      message.messageId,
      type,
      result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(data)'}: ${issue.message}`),
    );
  }
  // A plain message (a plain SNS Publish) has no envelope: its SQS message id and send time stand in.
  const id = header ? header.id : message.messageId;
  const envelope: Envelope = {
    specversion: '1.0',
    id,
    source: header ? header.source : EXTERNAL_SOURCE,
    type,
    time: header?.time ?? isoTimestamp(message.sentTimestamp ?? Date.now()),
    datacontenttype: 'application/json',
    data: result.data,
    kind: header?.kind ?? entry.kind,
    correlationid: header?.correlationid ?? id,
    dataversion: header?.dataversion ?? entry.version,
  };
  if (header?.causationid !== undefined) return { ...envelope, causationid: header.causationid };
  return envelope;
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
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

function isSnsNotification(value: unknown): value is SnsNotification {
  const candidate = value as Partial<SnsNotification> | null;
  return candidate?.Type === 'Notification' && typeof candidate.Message === 'string' && typeof candidate.TopicArn === 'string';
}

function snsAttributes(attributes: SnsNotification['MessageAttributes']): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    if (attribute.Type === 'String') strings[name] = attribute.Value;
  }
  return strings;
}

function isEnvelopeLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'specversion' in value;
}

/** The envelope fields an incoming CloudEvents message carries; the rest come from the catalog. */
interface EnvelopeHeader {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time?: string;
  readonly data: unknown;
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
  for (const field of ['time', 'correlationid', 'causationid'] as const) {
    if (value[field] !== undefined && typeof value[field] !== 'string') problems.push(`${field} must be a string`);
  }
  if (value.kind !== undefined && value.kind !== 'event' && value.kind !== 'command') problems.push(`kind must be "event" or "command"`);
  if (value.dataversion !== undefined && !Number.isInteger(value.dataversion)) problems.push('dataversion must be an integer');
  if (problems.length > 0) throw new MalformedMessageError(messageId, `it is not a valid CloudEvents envelope: ${problems.join('; ')}`);
  return value as unknown as EnvelopeHeader;
}

/** A plain SNS/SQS message: its body is the data, its `type` attribute names it. */
function typeAttribute(messageId: string, attributes: Readonly<Record<string, string>>): string {
  const type = attributes[MESSAGE_TYPE_ATTRIBUTE];
  if (type === undefined || type === '') {
    throw new UnknownMessageTypeError(
      messageId,
      undefined,
      `its body is not a CloudEvents envelope and it has no '${MESSAGE_TYPE_ATTRIBUTE}' message attribute to say what it is`,
    );
  }
  return type;
}
