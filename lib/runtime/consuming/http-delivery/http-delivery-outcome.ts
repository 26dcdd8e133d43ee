import { MessageError } from '../../../messages/message-errors.ts';

/** How much of an endpoint's answer a dead-letter reason quotes. */
export const RESPONSE_BODY_CUT = 500;

/** The endpoint could not take the message now (408, 429, 5xx, a timeout, no connection): retried with backoff. */
export class EndpointUnavailableError extends MessageError {
  readonly code = 'ENDPOINT_UNAVAILABLE';
  readonly retryable = true;

  constructor(
    readonly messageId: string,
    readonly endpoint: string,
    readonly reason: string,
    /** What the endpoint's Retry-After asked for, which the backoff honours when longer. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`Message ${messageId} was not taken by ${endpoint}: ${reason}; it is retried${retryAfterSeconds === undefined ? '' : ` in ${retryAfterSeconds} s or more, as the endpoint asked`}.`);
  }
}

/** The endpoint refused the message for good (a 4xx other than 408 and 429, or a redirect): dead-lettered with its answer. */
export class EndpointRejectedError extends MessageError {
  readonly code = 'ENDPOINT_REJECTED';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly endpoint: string,
    readonly status: number,
    readonly responseBody: string,
  ) {
    super(`Message ${messageId} was refused by ${endpoint} with HTTP ${status}: ${responseBody || '(no body)'}. It is dead-lettered; fix it or the endpoint, then redrive.`);
  }
}

/** What an HTTP status means for the message: 2xx delivered, 408, 429 and 5xx retried, any other (a 3xx redirect, which is not followed, among them) refused. */
export function outcomeOfStatus(status: number): 'delivered' | 'retry' | 'reject' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'reject';
}

/**
 * Seconds a Retry-After header asks to wait: delay-seconds, or an HTTP date from `now`; undefined for none or one
 * that cannot be read (the backoff decides then).
 */
export function retryAfterSeconds(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The start of a response body, on one line, for a dead-letter reason. */
export function cutBody(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > RESPONSE_BODY_CUT ? `${line.slice(0, RESPONSE_BODY_CUT)}…` : line;
}
