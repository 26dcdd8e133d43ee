import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AnyTopology } from '../../messages/message-types.ts';
import type { ProcessingOutcome } from '../message-processor.ts';
import { QueueRuntime, type QueueRuntimeOptions } from '../queue-runtime.ts';
import { invocationLoggingMiddleware } from './invocation-logging-middleware.ts';
import { metricsFlushMiddleware } from './metrics-flush-middleware.ts';
import { fromSqsRecord } from './sqs-record.ts';

export type SqsHandlerOptions<T extends AnyTopology> = QueueRuntimeOptions<T>;

/**
 * A Lambda handler for one queue of the topology. For each record of a batch
 * it decodes and validates the message and calls the handler for its type:
 * - success: left out of `batchItemFailures`, so Lambda deletes it;
 * - retryable failure: its visibility is set to the backoff of this attempt, and it is reported failed;
 * - failure retrying cannot fix, or the last attempt: copied to the DLQ with the reason, then left for Lambda to delete.
 *
 * One record never fails the batch. On FIFO queues, the records after a
 * failed one in the same message group are reported failed unprocessed, so
 * the group's order holds.
 */
export function createSqsHandler<T extends AnyTopology>(topology: T, options: SqsHandlerOptions<T>) {
  const runtime = new QueueRuntime(topology, options);
  const { processor, logger, metrics } = runtime;

  async function processBatch(event: SQSEvent): Promise<SQSBatchResponse> {
    const messages = event.Records.map(fromSqsRecord);
    const failures: SQSBatchItemFailure[] = [];
    if (runtime.queue.fifo) {
      // After a failure, the rest of its group is released unprocessed: SQS holds a FIFO
      // group back while its failed message is invisible, then delivers them in order.
      const blockedGroups = new Set<string>();
      for (const message of messages) {
        const group = message.groupId ?? '';
        let leaves = false;
        if (blockedGroups.has(group)) {
          await runtime.delay(message, 0);
        } else {
          const outcome = await processor.process(message);
          leaves = outcome.status === 'processed' || (await runtime.settleFailure(message, outcome));
        }
        if (!leaves) {
          blockedGroups.add(group);
          failures.push({ itemIdentifier: message.messageId });
        }
      }
    } else {
      const pending = messages.map((message) => processor.process(message));
      // Awaited only when some handler was asynchronous: Promise.all would wrap every synchronous outcome in a promise.
      const outcomes = pending.some((outcome) => outcome instanceof Promise) ? await Promise.all(pending) : (pending as ProcessingOutcome[]);
      const settling = outcomes.map((outcome, index) => outcome.status === 'processed' || runtime.settleFailure(messages[index]!, outcome));
      const leaves = settling.some((left) => left instanceof Promise) ? await Promise.all(settling) : (settling as boolean[]);
      leaves.forEach((left, index) => left || failures.push({ itemIdentifier: messages[index]!.messageId }));
    }
    logger.debug('batch done', { records: messages.length, failed: failures.length });
    return { batchItemFailures: failures };
  }

  return middy<SQSEvent, SQSBatchResponse>()
    .use(invocationLoggingMiddleware(logger))
    .use(metricsFlushMiddleware(metrics))
    .handler(processBatch);
}
