import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AnyTopology } from '../../../messages/message-types.ts';
import type { QueueId } from '../../../topology/queue-types.ts';
import { MessageGroups } from '../message-groups.ts';
import type { EmfMetrics } from '../../observability/emf-metrics.ts';
import type { Logger } from '../../observability/logger.ts';
import { sdkRegistered } from '../../observability/otel-spans.ts';
import type { ProcessingOutcome, ProcessingScope, ReceivedMessage } from '../message-processor.ts';
import type { QueueHandlers } from '../handler-context.ts';
import { QueueRuntime, type QueueRuntimeOptions } from '../queue-runtime.ts';
import { invocationLoggingMiddleware } from './invocation-logging-middleware.ts';
import { sqsRecordsOf } from './sqs-event.ts';
import { fromSqsRecord } from './sqs-record.ts';

/** The queue is one of the topology's, and its handler map has a handler for exactly the types that arrive on it. */
export interface SqsHandlerOptions<T extends AnyTopology, Q extends QueueId<T> = QueueId<T>> extends Omit<QueueRuntimeOptions<T>, 'queue' | 'handlers'> {
  /** Logical name of the queue: the subscriber's name, or the command's queue id (`invoice-generate`). */
  readonly queue: Q;
  /** A handler for every message type that arrives on the queue, and for no other. */
  // NoInfer: the queue alone names Q; a map made for another queue must not widen it.
  readonly handlers: QueueHandlers<T, NoInfer<Q>>;
}

/**
 * The Lambda handler `createSqsHandler` returns: a middy handler, so `.use()` adds any middy middleware around the
 * batch (Powertools' logger or tracer, a secrets loader), typed for an SQS event and a partial batch response.
 * Postbox answers the batch itself; per-message work belongs in `hooks` (SqsHandlerOptions), which the polling
 * consumer runs too.
 *
 * @example
 * export const handler = createSqsHandler(topology, { queue: 'billing', handlers }).use({
 *   before: (request) => void console.log('records', request.event.Records.length),
 * });
 */
export type SqsHandler = MiddyfiedHandler<SQSEvent, SQSBatchResponse, Error, Context>;

/** How long before an invocation its batch may have been received, past the batching window. */
const RECEIVE_MARGIN_SECONDS = 60;

/** Kept back from the Lambda timeout to return the partial batch response in time. */
const RESPONSE_MARGIN_MS = 500;

/**
 * What belongs to one invocation: its abort signal, metrics and logger (which names its request). Lambda Managed
 * Instances run several invocations at once through one handler, so none of this lives at module level.
 * The AbortController and the logger are made only when asked for: making them costs more than handling a record.
 */
class Invocation implements ProcessingScope {
  private controller: AbortController | undefined;
  private requestLogger: Logger | undefined;
  aborted = false;
  readonly metrics: EmfMetrics;
  readonly tracing = sdkRegistered();

  constructor(
    private readonly handlerLogger: Logger,
    handlerMetrics: EmfMetrics,
    readonly requestId: string | undefined,
  ) {
    this.metrics = handlerMetrics.forInvocation(requestId);
  }

  get logger(): Logger {
    this.requestLogger ??= this.requestId === undefined ? this.handlerLogger : this.handlerLogger.child({ requestId: this.requestId });
    return this.requestLogger;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.aborted) this.controller.abort();
    return this.controller.signal;
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}

/**
 * A Lambda handler for one queue of the topology. For each record of a batch
 * it decodes and validates the message and calls the handler for its type:
 * - success: left out of `batchItemFailures`, so Lambda deletes it;
 * - retryable failure: its visibility is set to the backoff of this attempt, and it is reported failed;
 * - failure retrying cannot fix, or the last attempt: copied to the DLQ with the reason, then left for Lambda to delete.
 *
 * One record never fails the batch. On FIFO queues, the records after a
 * failed one in the same message group are reported failed unprocessed, so
 * the group's order holds. Shortly before the function's timeout the handler
 * answers with what is finished: the records still running are reported
 * failed (their handlers' signal is aborted), so a slow record does not send
 * the whole batch back, and the others do not pay a receive for it.
 *
 * @example
 * // functions/notifications.ts: the topology's `entry` of the notifications subscriber
 * import { createSqsHandler } from 'postbox';
 * import { shopTopology } from '../src/shop-topology.ts';
 *
 * export const handler = createSqsHandler(shopTopology, {
 *   queue: 'notifications',
 *   handlers: {
 *     'order.placed': async ({ data }, { logger }) => logger.info('order placed', { orderId: data.orderId }),
 *   },
 * });
 */
export function createSqsHandler<T extends AnyTopology, const Q extends QueueId<T>>(topology: T, options: SqsHandlerOptions<T, Q>): SqsHandler {
  const runtime = new QueueRuntime(topology, options);
  const { logger, metrics } = runtime;
  const { handler } = runtime.queue;
  // Lambda's poller received a batch before the invocation, at most its batching window and a margin before.
  const receiveLeadMs = ((handler.kind === 'lambda' ? handler.maxBatchingWindowSeconds : 0) + RECEIVE_MARGIN_SECONDS) * 1000;

  /** Records in `left` that the message leaves its queue: processed, or dead-lettered. */
  function settle(message: ReceivedMessage, outcome: ProcessingOutcome, index: number, left: boolean[], invocation: Invocation): void | Promise<void> {
    if (outcome.status === 'processed') {
      left[index] = true;
      runtime.settled(message, outcome, true);
      return undefined;
    }
    return runtime.settleFailure(message, outcome, invocation).then((leaves) => void (left[index] = leaves));
  }

  /** Every record at once; synchronous when every handler is, so fast handlers pay for no promise per record. */
  function settleAtOnce(messages: ReceivedMessage[], left: boolean[], invocation: Invocation): void | Promise<unknown> {
    let pending: Array<Promise<void>> | undefined;
    // A record processed synchronously ends when the next starts, so one clock read times both. Not when a hook or a
    // failure's settling runs in between: that is no part of the next record's time.
    let started: number | undefined;
    for (let index = 0; index < messages.length; index++) {
      const message = messages[index]!;
      const outcome = runtime.process(message, invocation, started);
      started = undefined;
      const settled = outcome instanceof Promise ? outcome.then((done) => settle(message, done, index, left, invocation)) : settle(message, outcome, index, left, invocation);
      if (settled) (pending ??= []).push(settled);
      else if (!runtime.hooks.active) started = runtime.processor.finishedAt;
    }
    return pending && Promise.all(pending);
  }

  /**
   * One record after the other. After a failure, the rest of its group is released unprocessed:
   * SQS holds a FIFO group back while its failed message is invisible, then delivers them in order.
   */
  async function settleInOrder(messages: ReceivedMessage[], left: boolean[], invocation: Invocation): Promise<void> {
    const groups = new MessageGroups();
    // Every record is queued at once, so a group's failure holds the rest of it back; each waits for the one before.
    let previous: Promise<unknown> = Promise.resolve();
    const turns = messages.map((message, index) => {
      const before = previous;
      const turn = groups.run(
        message.groupId ?? '',
        async () => {
          await before;
          // Out of time: the rest goes back unprocessed, still in order.
          if (invocation.aborted) return false;
          await settle(message, await runtime.process(message, invocation), index, left, invocation);
          return left[index]!;
        },
        async () => {
          await before;
          if (!invocation.aborted) await runtime.delay(message, 0, invocation);
        },
      );
      previous = turn.catch(() => undefined);
      return turn;
    });
    await Promise.all(turns);
  }

  /** Waits for `work` until shortly before the function's timeout; then aborts what still runs. */
  async function withinDeadline(work: Promise<unknown>, context: Context | undefined, invocation: Invocation, records: number): Promise<void> {
    const remainingMs = context?.getRemainingTimeInMillis?.();
    if (remainingMs === undefined) {
      await work;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'out-of-time'>((resolve) => (timer = setTimeout(() => resolve('out-of-time'), Math.max(0, remainingMs - RESPONSE_MARGIN_MS))));
    try {
      if ((await Promise.race([work, outOfTime])) !== 'out-of-time') return;
    } finally {
      clearTimeout(timer);
    }
    invocation.abort();
    // What still runs settles on its own or returns after its visibility timeout; its error must not fail a later
    // invocation, and its metrics are written when it ends.
    work
      .catch((error: unknown) => invocation.logger.error('a record still running at the timeout failed to settle', { error }))
      .finally(() => invocation.metrics.flush());
    invocation.logger.warn('the batch ran out of time; records still running are reported failed and return to the queue', {
      records,
      remainingMs,
    });
  }

  async function processBatch(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    const receivedAt = Date.now() - receiveLeadMs;
    // Any event may arrive (a function subscribed to a topic, a test invoke): refuse, saying what came, rather than crash on a field.
    const records = sqsRecordsOf(event, runtime.queue.name);
    const messages: ReceivedMessage[] = new Array(records.length);
    const left: boolean[] = new Array(records.length);
    for (let index = 0; index < records.length; index++) {
      messages[index] = fromSqsRecord(records[index]!, receivedAt);
      left[index] = false;
    }
    const invocation = new Invocation(logger, metrics, context?.awsRequestId);
    try {
      const work = runtime.queue.fifo ? settleInOrder(messages, left, invocation) : settleAtOnce(messages, left, invocation);
      if (work) await withinDeadline(work, context, invocation, messages.length);
    } finally {
      invocation.metrics.flush();
    }
    const failures: SQSBatchItemFailure[] = [];
    for (let index = 0; index < left.length; index++) if (!left[index]) failures.push({ itemIdentifier: messages[index]!.messageId });
    // The handler's logger with the request named, not the invocation's: that one is made only for lines written.
    logger.debug('batch done', { requestId: invocation.requestId, records: messages.length, failed: failures.length });
    return { batchItemFailures: failures };
  }

  // Middy's own early timeout would fail the whole batch; processBatch answers in time instead.
  return middy<SQSEvent, SQSBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 })
    .use(invocationLoggingMiddleware(logger))
    .handler(processBatch);
}
