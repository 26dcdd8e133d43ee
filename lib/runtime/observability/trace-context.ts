/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate` a message carries in
 * its message attributes, parsed, checked and continued. Pure: no OpenTelemetry, no AWS.
 */
import { TRACE_ATTRIBUTES } from '../../messages/wire-contract.ts';

/** A message's trace context: the `traceparent` of the span that sent it, and the vendors' `tracestate` if any. */
export interface TraceContext {
  /** `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`. */
  readonly traceparent: string;
  readonly tracestate?: string;
}

/** The fields of a valid `traceparent`. */
export interface Traceparent {
  readonly traceId: string;
  readonly spanId: string;
  /** Bit 0 is `sampled`. */
  readonly flags: number;
}

/**
 * Version 00 exactly; a later version may append fields after the flags, which a version-00 reader ignores
 * (W3C §4.3, "versioning"). Version ff is invalid, and so are upper-case hex and all-zero ids.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/** W3C's limit on what a `tracestate` must be kept at; a longer one is dropped rather than cut mid-entry. */
export const MAX_TRACESTATE_LENGTH = 512;

/** The fields of `traceparent`, or undefined when it is not a valid W3C traceparent (and so must be ignored). */
export function parseTraceparent(traceparent: string | undefined): Traceparent | undefined {
  if (traceparent === undefined) return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}

/** A version-00 `traceparent` of these fields. */
export function formatTraceparent({ traceId, spanId, flags }: Traceparent): string {
  return `00-${traceId}-${spanId}-${(flags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The context of a new span in the trace of `parent`: same trace id and flags, a new span id, the parent's
 * `tracestate`. Without a valid parent (none, or one W3C says to ignore) a new trace starts, sampled.
 */
export function continueTrace(parent: TraceContext | undefined, randomHex: (bytes: number) => string = randomHexBytes): TraceContext {
  const fields = parseTraceparent(parent?.traceparent);
  if (fields === undefined) return { traceparent: formatTraceparent({ traceId: nonZeroHex(16, randomHex), spanId: nonZeroHex(8, randomHex), flags: 1 }) };
  const traceparent = formatTraceparent({ ...fields, spanId: nonZeroHex(8, randomHex) });
  return withTracestate(traceparent, parent?.tracestate);
}

/** The trace context a message's attributes carry, when its `traceparent` is valid; else undefined (start a new trace). */
export function traceContextOf(attributes: Readonly<Record<string, string | undefined>>): TraceContext | undefined {
  const traceparent = attributes[TRACE_ATTRIBUTES.traceparent];
  return parseTraceparent(traceparent) === undefined ? undefined : withTracestate(traceparent!.trim(), attributes[TRACE_ATTRIBUTES.tracestate]);
}

/** The message attributes that carry a trace context. */
export function traceAttributes(context: TraceContext): Record<string, string> {
  return context.tracestate === undefined
    ? { [TRACE_ATTRIBUTES.traceparent]: context.traceparent }
    : { [TRACE_ATTRIBUTES.traceparent]: context.traceparent, [TRACE_ATTRIBUTES.tracestate]: context.tracestate };
}

function withTracestate(traceparent: string, tracestate: string | undefined): TraceContext {
  return tracestate !== undefined && tracestate !== '' && tracestate.length <= MAX_TRACESTATE_LENGTH ? { traceparent, tracestate } : { traceparent };
}

/** The trace id of a trace context, for logs. */
export function traceIdOf(context: TraceContext): string | undefined {
  return parseTraceparent(context.traceparent)?.traceId;
}

function nonZeroHex(bytes: number, randomHex: (bytes: number) => string): string {
  for (;;) {
    const hex = randomHex(bytes);
    if (/[1-9a-f]/.test(hex)) return hex;
  }
}

function randomHexBytes(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  let hex = '';
  for (const value of values) hex += value.toString(16).padStart(2, '0');
  return hex;
}
