import type { AnyTopology, MessageData, MessageTypeName } from '../../messages/message-types.ts';
import type { Envelope } from '../../messages/envelope.ts';
import type { QueueId, QueueMessageType } from '../../topology/queue-types.ts';
import type { Logger } from '../observability/logger.ts';
import type { TraceContext } from '../observability/trace-context.ts';
import type { IdempotencyContext } from './idempotency/idempotency-guard.ts';

// The types a team writes its handlers against; the processor that calls them is message-processor.ts.

/** What a handler is given beside its message. */
export interface HandlerContext {
  /** The SQS message id on the queue; every delivery of one message has the same, and so has its copy sent again at a stop. */
  readonly messageId: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  /** The logical name of the queue the message came from. */
  readonly queue: string;
  /** A logger that adds the message's id, type, correlation id and attempt to every line. */
  readonly logger: Logger;
  /** Aborted when the consumer gives up on the task (its time limit passed); long tasks should stop then. */
  readonly signal?: AbortSignal;
  /** The message's idempotency record, when its queue declares `idempotency`: write with it exactly once. */
  readonly idempotency?: IdempotencyContext;
  /**
   * The W3C trace context of this handling, in the message's trace (a new trace when it came without a valid one):
   * publish follow-ups with `{ traceContext: context.traceContext }` so they join it.
   */
  readonly traceContext: TraceContext;
  /**
   * Replies to the Requester that sent this command (its command declares a `reply` schema): validated, sent once.
   * A handler that returns its reply need not call it; a long task calls it when the result is ready, and may go on.
   * Nothing is sent when no one asked (a plain `send`).
   */
  reply(data: unknown): Promise<void>;
}

export type MessageHandler<Data = unknown> = (message: Envelope<Data>, context: HandlerContext) => unknown;

/** Handlers of any message types of a topology; see {@link QueueHandlers} for the map of one queue. */
export type MessageHandlers<T extends AnyTopology> = { readonly [K in MessageTypeName<T>]?: MessageHandler<MessageData<T, K>> };

/**
 * The handler map of queue Q: a handler for every message type that arrives on
 * it, and none for a type that does not (both fail type-checking). Written as
 * one mapped type over every message type, so that TypeScript still types a
 * handler's parameters from its key while it infers Q.
 */
export type QueueHandlers<T extends AnyTopology, Q extends QueueId<T>> = {
  readonly [K in MessageTypeName<T>]?: K extends QueueMessageType<T, Q> ? MessageHandler<MessageData<T, K>> : never;
} & { readonly [K in QueueMessageType<T, Q>]: unknown };
