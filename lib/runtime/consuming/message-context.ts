import type { Envelope } from '../../messages/envelope.ts';
import type { Logger } from '../observability/logger.ts';
import { continueTrace, traceContextOf, type TraceContext } from '../observability/trace-context.ts';
import type { IdempotencyContext } from './idempotency/idempotency-guard.ts';
import type { MessageProcessor, ProcessingScope, ReceivedMessage } from './message-processor.ts';
import type { HandlerContext } from './handler-context.ts';
import { STOP_COPY_OF_ATTRIBUTE } from './polling/stop-copies.ts';
import type { RequestReply } from './request-reply.ts';

/**
 * A handler's context. Its logger and signal are made on first use: most
 * handlers use neither, and this is made for every record (see `npm run bench`).
 */
export class MessageContext implements HandlerContext {
  private childLogger: Logger | undefined;
  idempotency: IdempotencyContext | undefined;
  requestReply: RequestReply | undefined;

  constructor(
    private readonly processor: MessageProcessor,
    private readonly message: ReceivedMessage,
    private readonly envelope: Envelope,
    private readonly scope?: ProcessingScope,
  ) {}

  get messageId(): string {
    // A stop's copy is the message it was made of, sent again: it has that message's id here.
    return this.message.attributes[STOP_COPY_OF_ATTRIBUTE] ?? this.message.messageId;
  }

  get attempt(): number {
    return this.message.receiveCount;
  }

  get queue(): string {
    return this.processor.queue.id;
  }

  get logger(): Logger {
    this.childLogger ??= this.processor.loggerFor(this.message, this.envelope, this.scope);
    return this.childLogger;
  }

  get signal(): AbortSignal | undefined {
    return this.scope?.signal;
  }

  reply(data: unknown): Promise<void> {
    return this.requestReply ? this.requestReply.reply(data) : Promise.resolve();
  }

  // Tracing hook (see handler-spans.ts): made on first use, or set to the consumer span's when there is one.
  private handlingTrace: TraceContext | undefined;

  get receivedTraceContext(): TraceContext | undefined {
    return traceContextOf(this.message.attributes);
  }

  get traceContext(): TraceContext {
    this.handlingTrace ??= continueTrace(this.receivedTraceContext);
    return this.handlingTrace;
  }

  set traceContext(context: TraceContext) {
    this.handlingTrace = context;
  }
}
