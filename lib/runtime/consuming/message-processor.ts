import type { Envelope } from '../../messages/envelope.ts';
import type { MessageCatalog } from '../../messages/message-catalog.ts';
import { decodeIncoming, type IncomingMessage } from '../../messages/message-codec.ts';
import { AttemptsWithoutResultError, describeError, errorCode, RetriesExhaustedError } from '../../messages/message-errors.ts';
import type { ResolvedQueue } from '../../topology/resolve-topology.ts';
import type { EmfMetrics } from '../observability/emf-metrics.ts';
import { S3PayloadStore, type PayloadStore } from '../payloads/s3-payload-store.ts';
import { decideOnFailure, type FailureDecision } from './failure-policy.ts';
import { fetchPayload } from './fetch-payload.ts';
import { HandlerConfigurationError } from './handler-configuration-error.ts';
import type { Logger } from '../observability/logger.ts';
import { withHandlerSpans } from '../observability/handler-spans.ts';
import { sdkRegistered } from '../observability/otel-spans.ts';
import { parseTraceparent } from '../observability/trace-context.ts';
import { TRACE_ATTRIBUTES } from '../../messages/wire-contract.ts';
import { IdempotencyGuard } from './idempotency/idempotency-guard.ts';
import type { IdempotencyStore } from './idempotency/idempotency-store.ts';
import { idempotentOptionsOf } from './idempotency/idempotent-handler.ts';
import { RequestReply, type ReplySender } from './request-reply.ts';
import { MessageContext } from './message-context.ts';
import type { MessageHandler } from './handler-context.ts';

/** A message received from a queue, with what SQS says about its delivery. */
export interface ReceivedMessage extends IncomingMessage {
  readonly receiptHandle: string;
  /** 1 on the first receive. */
  readonly receiveCount: number;
  /** FIFO queues only. */
  readonly groupId?: string | undefined;
  /**
   * When the receive that gave this receipt handle was asked for (epoch ms, at the latest): SQS refuses any
   * visibility that ends more than 12 hours after it. Each receive starts 12 hours afresh.
   */
  readonly receivedAt?: number | undefined;
}

/**
 * What one invocation (a Lambda batch) or one task lends the messages it processes. Lambda Managed Instances run
 * several invocations at once through one processor, so nothing of an invocation is kept on the processor.
 * Each part is read only when needed (a getter may make it then).
 */
export interface ProcessingScope {
  /** Aborted when the consumer gives up on the task. */
  readonly signal?: AbortSignal;
  /** Where this invocation's metrics go. @default the processor's */
  readonly metrics?: EmfMetrics;
  /** This invocation's logger. @default the processor's */
  readonly logger?: Logger;
  /**
   * Whether an OpenTelemetry SDK is registered, asked once for a whole batch: asking for every record cost a Lambda
   * handler about 5 % of its throughput (see `npm run bench`). @default asked for each message
   */
  readonly tracing?: boolean;
}

export type ProcessingOutcome = (
  | {
      readonly status: 'processed';
      readonly envelope: Envelope;
      /** True when an earlier delivery had handled it (idempotency): acknowledged without calling the handler. */
      readonly duplicate?: boolean;
    }
  | (FailureDecision & {
      readonly status: 'failed';
      /** Absent when the message could not be decoded. */
      readonly envelope?: Envelope;
      /** Its type if the topology declares it, else `unknown` (it names metrics, which take no untrusted names). */
      readonly messageType: string;
      /** `<queue>/<message type>`: who failed. */
      readonly handler: string;
    })
) & {
  /** How long its processing took, in ms: what its metric records (the local console charts it too). */
  readonly durationMs: number;
};

/**
 * Decodes, validates and dispatches one message to its handler, and says what
 * should become of it. Shared by the Lambda pipeline and the polling consumer,
 * which differ only in how they receive and acknowledge.
 */
export class MessageProcessor {
  private readonly acceptedTypes: ReadonlySet<string>;
  /** The handlers, each inside a consumer span: called instead when an OpenTelemetry SDK is registered. */
  private readonly tracedHandlers: Readonly<Record<string, MessageHandler<any> | undefined>>;
  /** Present when the queue declares idempotency: its handlers run once per message key. */
  private readonly guard: IdempotencyGuard | undefined;

  constructor(
    readonly queue: ResolvedQueue,
    private readonly catalog: MessageCatalog,
    private readonly handlers: Readonly<Record<string, MessageHandler<any> | undefined>>,
    private readonly logger: Logger,
    private readonly metrics: EmfMetrics,
    private readonly random?: () => number,
    /** Where the payloads of pointer messages are read. @default S3, through a client made on the first pointer */
    private payloads?: PayloadStore,
    idempotencyStore?: IdempotencyStore,
    /** Where replies to Requesters go. @default none: a request is handled, and its reply not sent */
    private readonly replies?: ReplySender,
  ) {
    this.acceptedTypes = new Set(queue.messageTypes);
    const idempotentOptions = Object.fromEntries(Object.entries(handlers).map(([type, handler]) => [type, idempotentOptionsOf(handler)]));
    const problems = [
      ...queue.messageTypes.filter((type) => typeof handlers[type] !== 'function').map((type) => `no handler for '${type}'`),
      ...Object.keys(handlers).filter((type) => !this.acceptedTypes.has(type)).map((type) => `'${type}' never arrives on this queue`),
      ...(queue.idempotency
        ? []
        : Object.keys(idempotentOptions)
            .filter((type) => idempotentOptions[type])
            .map((type) => `the handler of '${type}' is idempotent(), but the queue declares no idempotency in the topology; add \`idempotency: {}\` to it, which provisions its table`)),
    ];
    if (problems.length > 0) throw new HandlerConfigurationError(`queue '${queue.id}'`, problems);
    // Wrapped by the queue's types, read as the checks above and the untraced path read them: a handler the map
    // inherits (a class's method) is found traced or not.
    this.tracedHandlers = withHandlerSpans(queue, Object.fromEntries(queue.messageTypes.map((type) => [type, handlers[type]])));
    if (queue.idempotency) {
      if (!idempotencyStore) throw new HandlerConfigurationError(`queue '${queue.id}'`, ['it declares idempotency, but its consumer was given no idempotency store']);
      this.guard = new IdempotencyGuard(queue.id, queue.idempotency, idempotencyStore, idempotentOptions, logger);
    }
  }

  /**
   * When the last message this processor handled synchronously was done (performance.now()): a driver that starts
   * the next message at once passes it as that one's `started`, which saves a clock read per message (see `npm run bench`).
   */
  finishedAt = 0;

  /**
   * Synchronous when the handler is, so a batch of fast handlers does not pay
   * for a promise per record (see `npm run bench`).
   * @param started when its processing started (performance.now()) @default now
   */
  process(message: ReceivedMessage, scope?: ProcessingScope, started?: number): ProcessingOutcome | Promise<ProcessingOutcome> {
    // A pointer to a payload in S3 (claim check) is fetched first, before decoding; any other message stays synchronous.
    const fetched = fetchPayload(message, this.payloadStore);
    if (fetched) return fetched.then((full) => this.process(full, scope), (error: unknown) => this.failed(message, undefined, error, performance.now(), scope));
    started ??= performance.now();
    let envelope: Envelope | undefined;
    try {
      const incoming = decodeIncoming(message, this.catalog, this.acceptedTypes);
      envelope = incoming.envelope;
      const decoded = envelope;
      // SNS without raw delivery carries the attributes (the trace context among them) inside the body.
      if (incoming.attributes !== message.attributes) message = { ...message, attributes: incoming.attributes };
      if (message.receiveCount > this.queue.maxReceiveCount) {
        // Its last attempt never reported (the consumer crashed or timed out): dead-letter it with that reason, unrun.
        throw new RetriesExhaustedError(message.messageId, message.receiveCount - 1, new AttemptsWithoutResultError(message.receiveCount));
      }
      const context = new MessageContext(this, message, decoded, scope);
      // A request (a Requester's command) replies when its handler is done: the handling is the handler and the reply.
      const requestReply = decoded.replyto !== undefined && this.replies ? RequestReply.of(this.replies, decoded, this.catalog.get(decoded.type)?.reply) : undefined;
      const handler = ((scope?.tracing ?? sdkRegistered()) ? this.tracedHandlers : this.handlers)[decoded.type]!;
      const run = requestReply ? () => requestReply.around(() => handler(decoded, context)) : () => handler(decoded, context);
      if (requestReply) context.requestReply = requestReply;
      if (this.guard) {
        return this.guard.run(message.messageId, decoded, (idempotency) => {
          context.idempotency = idempotency;
          return run();
        }).then(
          async (run) => {
            if (run.ran) return this.succeeded(decoded, started, scope);
            // A request asked again (its id sent again after a timeout) waits for a reply: the one its handler gave.
            if (requestReply) await this.replyDuplicate(requestReply, message, run.storedResult, scope);
            return this.acknowledgedDuplicate(message, decoded, run.key, run.storedResult, started, scope);
          },
          (error: unknown) => this.failed(message, decoded, error, started, scope),
        );
      }
      const result = run();
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(
          () => this.succeeded(decoded, started, scope),
          (error: unknown) => this.failed(message, decoded, error, started, scope),
        );
      }
      return this.succeeded(decoded, started, scope);
    } catch (error) {
      return this.failed(message, envelope, error, started, scope);
    }
  }

  private readonly payloadStore = (): PayloadStore => (this.payloads ??= new S3PayloadStore());

  private succeeded(envelope: Envelope, started: number, scope: ProcessingScope | undefined): ProcessingOutcome {
    this.finishedAt = performance.now();
    const durationMs = this.finishedAt - started;
    (scope?.metrics ?? this.metrics).record(envelope.type, 'Processed', durationMs);
    return { status: 'processed', envelope, durationMs };
  }

  /**
   * Replies to a request an earlier delivery handled with what its handler returned then (its stored result), best
   * effort: a handler that replied by context.reply and returned nothing, or a result too large to store, has no reply
   * to give again, and its requester times out.
   */
  private async replyDuplicate(requestReply: RequestReply, message: ReceivedMessage, storedResult: unknown, scope: ProcessingScope | undefined): Promise<void> {
    await requestReply.reply(storedResult).catch((error: unknown) =>
      (scope?.logger ?? this.logger).warn('could not reply again to a request handled before; its requester times out', { messageId: message.messageId, error }),
    );
  }

  /** A message an earlier delivery handled: acknowledged unrun, and logged with what the handler returned then. */
  private acknowledgedDuplicate(
    message: ReceivedMessage,
    envelope: Envelope,
    key: string,
    storedResult: unknown,
    started: number,
    scope: ProcessingScope | undefined,
  ): ProcessingOutcome {
    const metrics = scope?.metrics ?? this.metrics;
    const durationMs = performance.now() - started;
    metrics.record(envelope.type, 'Processed', durationMs);
    metrics.count(envelope.type, 'Duplicate');
    (scope?.logger ?? this.logger).info('handled before; acknowledged without calling its handler', {
      ...this.messageFields(message, envelope),
      idempotencyKey: key,
      ...(storedResult !== undefined && { storedResult }),
    });
    return { status: 'processed', envelope, duplicate: true, durationMs };
  }

  /** The outcome of a message whose handling failed with `error`, logged and counted. */
  failed(message: ReceivedMessage, envelope: Envelope | undefined, error: unknown, started: number, scope?: ProcessingScope): ProcessingOutcome {
    const decision = decideOnFailure(error, message.messageId, message.receiveCount, this.queue, this.random);
    // Names metrics: a type the topology does not declare is untrusted input, and each would make a new metric.
    const readType = envelope?.type ?? (error as { messageType?: string }).messageType;
    const type = readType !== undefined && this.catalog.get(readType) ? readType : 'unknown';
    const durationMs = performance.now() - started;
    (scope?.metrics ?? this.metrics).record(type, 'Failed', durationMs);
    (scope?.logger ?? this.logger).warn(decision.action === 'retry' ? 'message failed; will retry' : 'message failed; dead-lettering it', {
      ...this.messageFields(message, envelope),
      errorCode: errorCode(decision.error),
      error: describeError(decision.error),
      ...(decision.action === 'retry' && { retryInSeconds: decision.delaySeconds }),
    });
    return { status: 'failed', ...decision, ...(envelope && { envelope }), messageType: type, handler: `${this.queue.id}/${type}`, durationMs };
  }

  /** A logger that adds the message's id, type, correlation id and attempt to every line. */
  loggerFor(message: ReceivedMessage, envelope: Envelope, scope?: ProcessingScope): Logger {
    return (scope?.logger ?? this.logger).child(this.messageFields(message, envelope));
  }

  /** Made only for a line that is logged: a failure, a duplicate, or a handler's own logger. */
  private messageFields(message: ReceivedMessage, envelope: Envelope | undefined): Record<string, unknown> {
    const traceId = parseTraceparent(message.attributes[TRACE_ATTRIBUTES.traceparent])?.traceId;
    return {
      messageId: message.messageId,
      ...(envelope && { messageType: envelope.type, envelopeId: envelope.id, correlationId: envelope.correlationid }),
      ...(traceId !== undefined && { traceId }),
      attempt: message.receiveCount,
      queue: this.queue.id,
    };
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
