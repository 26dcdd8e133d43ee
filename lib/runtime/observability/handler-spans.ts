import type { Envelope } from '../../messages/envelope.ts';
import { startMessageSpan } from './otel-spans.ts';
import type { TraceContext } from './trace-context.ts';

type Handler = (message: Envelope<any>, context: any) => unknown;

/** What a handler's context lends its span: the trace context the message came with, and the handling's own. */
export interface TracedHandlerContext {
  readonly messageId: string;
  readonly attempt: number;
  /** The message's valid trace context, if it came with one. */
  readonly receivedTraceContext: TraceContext | undefined;
  traceContext: TraceContext;
}

/**
 * Each handler run inside a consumer span (child of the message's trace context): the handler's instrumented calls
 * and publishes are its children, and its context's `traceContext` is the span's. Called when an OpenTelemetry SDK
 * is registered; without one (or when its sampler records nothing), the handler is called as it is.
 */
export function withHandlerSpans<H extends Readonly<Record<string, Handler | undefined>>>(queue: SpanQueue, handlers: H): H {
  const traced: Record<string, Handler | undefined> = {};
  for (const [type, handler] of Object.entries(handlers)) traced[type] = handler && tracedHandler(queue, type, handler);
  return traced as H;
}

/** The queue a handling span names: by its physical name, as the publisher's span names its destination. */
export interface SpanQueue {
  /** The logical name (`postbox.queue.id`). */
  readonly id: string;
  /** The physical name, `<app>-<stage>-<id>` (the span's name and `messaging.destination.name`). */
  readonly name: string;
}

function tracedHandler(queue: SpanQueue, type: string, handler: Handler): Handler {
  const name = `process ${queue.name}`;
  return (message: Envelope, context: TracedHandlerContext) => {
    const span = startMessageSpan(name, 'consumer', context.receivedTraceContext, {
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'process',
      'messaging.destination.name': queue.name,
      'postbox.queue.id': queue.id,
      'messaging.message.id': context.messageId,
      'messaging.message.delivery_attempt': context.attempt,
      'postbox.message.type': type,
      'postbox.envelope.id': message.id,
    });
    if (span === undefined) return handler(message, context);
    context.traceContext = span.traceContext;
    let result: unknown;
    try {
      result = span.run(() => handler(message, context));
    } catch (error) {
      span.end(error);
      throw error;
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') {
      span.end();
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        span.end(error);
        throw error;
      },
    );
  };
}
