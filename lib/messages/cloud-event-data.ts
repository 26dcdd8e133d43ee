import { Buffer } from 'node:buffer';
import { MalformedMessageError } from './message-errors.ts';

/** The fields of an incoming CloudEvent that say what its data is. */
export interface CloudEventData {
  readonly data?: unknown;
  /** CloudEvents' JSON format carries binary data as base64 in `data_base64`, instead of `data`. */
  readonly data_base64?: unknown;
  readonly datacontenttype?: unknown;
}

/**
 * The data of a CloudEvent: `data` as it is, or `data_base64` decoded, which
 * other stacks' SDKs send for data they hold as bytes. Handlers take JSON, so
 * base64 must hold JSON text: its `datacontenttype` a JSON media type, or none.
 *
 * @throws MalformedMessageError (not retryable) when data_base64 is not base64 of UTF-8 JSON
 */
export function cloudEventData(messageId: string, event: CloudEventData): unknown {
  // CloudEvents' JSON format takes an attribute that is null for one that is absent; some serializers write nulls.
  const encoded = event.data_base64;
  if (encoded === undefined || encoded === null) return event.data;
  const malformed = (why: string) => new MalformedMessageError(messageId, `its data_base64 ${why}`);
  const type = event.datacontenttype;
  if (type !== undefined && type !== null && !(typeof type === 'string' && JSON_MEDIA_TYPE.test(type))) {
    throw malformed(
      `is of datacontenttype ${JSON.stringify(type)}, and Postbox handlers take JSON data only; send JSON (datacontenttype application/json)`,
    );
  }
  if (typeof encoded !== 'string' || !BASE64.test(encoded)) throw malformed('is not base64 (RFC 4648, standard alphabet, padded)');
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw malformed('is not UTF-8 text, which JSON data must be');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformed(`does not hold JSON (${(error as Error).message})`);
  }
}

/** `application/json`, `text/json` and the `+json` types (RFC 6839), with or without parameters. */
const JSON_MEDIA_TYPE = /^(?:application|text)\/(?:[^\s;/]+\+)?json\s*(?:;|$)/i;
/** Buffer.from skips characters that are not base64; this refuses them, so that corrupt data is not half read. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
