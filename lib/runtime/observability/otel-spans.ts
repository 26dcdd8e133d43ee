/**
 * Postbox's spans, through `@opentelemetry/api` only: they exist when the application registered an OpenTelemetry
 * SDK, and cost one check per message when it did not (the API's no-op provider). No SDK is ever bundled.
 */
import { context, createTraceState, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent, type TraceContext } from './trace-context.ts';

/** The API's own provider until an SDK registers one: then every span would be a no-op. */
const unregistered = trace.getTracerProvider();
const noopProvider = new ProxyTracerProvider().getDelegate();

/** A span an SDK records, with the trace context it gives the message it sends or handles. */
export interface MessageSpan {
  readonly traceContext: TraceContext;
  /** Runs `work` with this span active, so that instrumented calls inside it (and publishes) are its children. */
  run<R>(work: () => R): R;
  end(error?: unknown): void;
}

/**
 * A producer or consumer span, child of `parent` (a message's trace context) or else of the active span; undefined
 * when no SDK is registered or it does not record this span (sampled out): the caller continues the trace itself.
 */
export function startMessageSpan(name: string, kind: 'producer' | 'consumer', parent: TraceContext | undefined, attributes: Attributes): MessageSpan | undefined {
  if (!sdkRegistered()) return undefined;
  const span = trace
    .getTracer('postbox')
    .startSpan(name, { kind: kind === 'producer' ? SpanKind.PRODUCER : SpanKind.CONSUMER, attributes }, parentContext(parent));
  if (!span.isRecording()) return undefined;
  return new RecordingMessageSpan(span);
}

/** The trace context of the span active where this is called (an SDK's context manager), if any. */
export function activeTraceContext(): TraceContext | undefined {
  if (!sdkRegistered()) return undefined;
  const span = trace.getActiveSpan();
  return span && traceContextOfSpan(span);
}

/** Whether an application registered an OpenTelemetry SDK: otherwise no span is made. */
export function sdkRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return provider !== unregistered || !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== noopProvider;
}

function parentContext(parent: TraceContext | undefined) {
  const fields = parseTraceparent(parent?.traceparent);
  if (fields === undefined) return context.active();
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: fields.traceId,
    spanId: fields.spanId,
    traceFlags: fields.flags,
    isRemote: true,
    ...(parent?.tracestate !== undefined && { traceState: createTraceState(parent.tracestate) }),
  });
}

function traceContextOfSpan(span: Span): TraceContext | undefined {
  const { traceId, spanId, traceFlags, traceState } = span.spanContext();
  const traceparent = formatTraceparent({ traceId, spanId, flags: traceFlags });
  if (parseTraceparent(traceparent) === undefined) return undefined;
  const tracestate = traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

class RecordingMessageSpan implements MessageSpan {
  readonly traceContext: TraceContext;

  constructor(private readonly span: Span) {
    this.traceContext = traceContextOfSpan(span)!;
  }

  run<R>(work: () => R): R {
    return context.with(trace.setSpan(context.active(), this.span), work);
  }

  end(error?: unknown): void {
    if (error !== undefined) {
      this.span.recordException(error instanceof Error ? error : String(error));
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    this.span.end();
  }
}
