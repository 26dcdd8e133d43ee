import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../lib/messages/message-codec.ts';
import { createEnvelope } from '../../lib/messages/envelope.ts';
import { MAX_MESSAGE_ATTRIBUTES } from '../../lib/messages/message-attributes.ts';
import { PAYLOAD_SIZE_ATTRIBUTE } from '../../lib/messages/payload-pointer.ts';
import { POSTBOX_MESSAGE_ATTRIBUTES } from '../../lib/messages/wire-contract.ts';
import {
  continueTrace,
  formatTraceparent,
  parseTraceparent,
  traceAttributes,
  traceContextOf,
} from '../../lib/runtime/observability/trace-context.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('traceparent', () => {
  it('parses a W3C version-00 traceparent into its trace id, parent span id and flags', () => {
    expect(parseTraceparent(PARENT)).toEqual({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', flags: 1 });
    expect(formatTraceparent(parseTraceparent(PARENT)!)).toBe(PARENT);
  });

  it.each([
    ['upper-case hex', PARENT.toUpperCase()],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-00f067aa0ba902b7-01`],
    ['fields after the flags in version 00', `${PARENT}-extra`],
    ['garbage', 'not a traceparent'],
  ])('ignores a traceparent with %s', (_, traceparent) => {
    expect(parseTraceparent(traceparent)).toBeUndefined();
  });

  it('reads a later version by its first four fields, as W3C asks of a version-00 reader', () => {
    expect(parseTraceparent(`01-${TRACE_ID}-00f067aa0ba902b7-01-future`)).toEqual({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', flags: 1 });
  });
});

describe('continuing a trace', () => {
  it('keeps the parent trace id, flags and tracestate, with a new span id', () => {
    const child = continueTrace({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-00`, tracestate: 'vendor=abc' });
    const fields = parseTraceparent(child.traceparent)!;
    expect(fields.traceId).toBe(TRACE_ID);
    expect(fields.flags).toBe(0);
    expect(fields.spanId).not.toBe('00f067aa0ba902b7');
    expect(child.tracestate).toBe('vendor=abc');
  });

  it('starts a new sampled trace when the parent traceparent is invalid, and drops its tracestate', () => {
    const child = continueTrace({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, tracestate: 'vendor=abc' });
    const fields = parseTraceparent(child.traceparent)!;
    expect(fields.traceId).not.toBe('0'.repeat(32));
    expect(fields.flags).toBe(1);
    expect(child.tracestate).toBeUndefined();
  });

  it('starts a different trace each time there is no parent', () => {
    expect(parseTraceparent(continueTrace(undefined).traceparent)!.traceId).not.toBe(parseTraceparent(continueTrace(undefined).traceparent)!.traceId);
  });

  it('draws ids again rather than use an all-zero one', () => {
    const draws = ['00'.repeat(16), 'ab'.repeat(16), '00'.repeat(8), 'cd'.repeat(8)];
    expect(continueTrace(undefined, () => draws.shift()!).traceparent).toBe(`00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`);
  });

  it('drops a tracestate over 512 characters rather than cut it', () => {
    expect(continueTrace({ traceparent: PARENT, tracestate: `v=${'x'.repeat(511)}` }).tracestate).toBeUndefined();
  });
});

describe('trace attributes', () => {
  it('reads the trace context from the traceparent and tracestate message attributes', () => {
    expect(traceContextOf({ traceparent: PARENT, tracestate: 'vendor=abc', type: 'order.placed' })).toEqual({ traceparent: PARENT, tracestate: 'vendor=abc' });
    expect(traceContextOf({ traceparent: 'nonsense', tracestate: 'vendor=abc' })).toBeUndefined();
    expect(traceContextOf({ type: 'order.placed' })).toBeUndefined();
  });

  it('writes them back as they were read', () => {
    expect(traceContextOf(traceAttributes({ traceparent: PARENT, tracestate: 'vendor=abc' }))).toEqual({ traceparent: PARENT, tracestate: 'vendor=abc' });
    expect(traceAttributes({ traceparent: PARENT })).toEqual({ traceparent: PARENT });
  });

  it(`leaves ${MAX_MESSAGE_ATTRIBUTES - POSTBOX_MESSAGE_ATTRIBUTES} of the 10 message attributes to the producer, with trace attributes and a payload pointer`, () => {
    const envelope = createEnvelope({ type: 'order.placed', kind: 'event', data: {}, source: 'orders' });
    const encoded = encodeMessage(envelope, traceAttributes({ traceparent: PARENT, tracestate: 'vendor=abc' }));
    const names = [...Object.keys(encoded.attributes), PAYLOAD_SIZE_ATTRIBUTE];
    expect(names).toEqual(['type', 'kind', 'traceparent', 'tracestate', 'ExtendedPayloadSize']);
    expect(names).toHaveLength(POSTBOX_MESSAGE_ATTRIBUTES);
  });

  it('counts the trace attributes in the message size', () => {
    const envelope = createEnvelope({ type: 'order.placed', kind: 'event', data: {}, source: 'orders' });
    const bare = encodeMessage(envelope).sizeBytes;
    expect(encodeMessage(envelope, { traceparent: PARENT }).sizeBytes).toBe(bare + 'traceparent'.length + 'String'.length + PARENT.length);
  });
});
