import middy from '@middy/core';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MessageCatalog } from '../../messages/message-catalog.ts';
import type { AnyTopology } from '../../messages/message-types.ts';
import { PostboxError } from '../../postbox-error.ts';
import { queueById, resolveTopology } from '../../topology/resolve-topology.ts';
import { EmfMetrics } from '../emf-metrics.ts';
import { createLogger, type Logger } from '../logger.ts';
import { MessageProcessor, type MessageHandlers, type ProcessingOutcome, type ReceivedMessage } from '../message-processor.ts';
import { QueueActions } from '../queue-actions.ts';
import { invocationLoggingMiddleware } from './invocation-logging-middleware.ts';
import { metricsFlushMiddleware } from './metrics-flush-middleware.ts';
import { fromSqsRecord } from './sqs-record.ts';

export interface SqsHandlerOptions<T extends AnyTopology> {
  /** Logical name of the queue: the subscriber's name, or the command queue id (`invoice-generate`). */
  readonly queue: string;
  /** A handler for every message type that arrives on the queue. */
  readonly handlers: MessageHandlers<T>;
  /**
   * Stage the topology is resolved for.
   * @default POSTBOX_STAGE, set by MessagingStack
   */
  readonly stage?: string;
  /** @default a client for AWS_ENDPOINT_URL / AWS_REGION, made when first needed */
  readonly sqs?: SQSClient;
  /** @default POSTBOX_QUEUE_URL, else looked up by name */
  readonly queueUrl?: string;
  /** @default POSTBOX_DEAD_LETTER_QUEUE_URL, else looked up by name */
  readonly deadLetterQueueUrl?: string;
  /** @default JSON lines to stdout */
  readonly logger?: Logger;
  /** Where EMF metric lines go. @default stdout */
  readonly writeMetrics?: (line: string) => void;
  /** For tests of the backoff. @default Math.random */
  readonly random?: () => number;
}

/** The handler was set up without what it needs to run. */
export class HandlerSetupError extends PostboxError {
  readonly code = 'HANDLER_SETUP_INVALID';
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
 * the group's order holds.
 */
export function createSqsHandler<T extends AnyTopology>(topology: T, options: SqsHandlerOptions<T>) {
  const stage = options.stage ?? process.env.POSTBOX_STAGE;
  if (!stage) throw new HandlerSetupError(`The handler of queue '${options.queue}' has no stage: pass 'stage' or set POSTBOX_STAGE.`);
  const resolved = resolveTopology(topology, { stage });
  const queue = queueById(resolved, options.queue);
  if (!queue) {
    throw new HandlerSetupError(
      `Queue '${options.queue}' is not in topology '${resolved.app}'; its queues are ${resolved.queues.map((q) => `'${q.id}'`).join(', ')}.`,
    );
  }
  const logger = options.logger ?? createLogger({ app: resolved.app, stage, queue: queue.id });
  const metrics = new EmfMetrics(`Postbox/${resolved.app}`, queue.id, options.writeMetrics);
  const processor = new MessageProcessor(queue, new MessageCatalog(resolved), options.handlers, logger, metrics, options.random);
  const queueUrl = options.queueUrl ?? process.env.POSTBOX_QUEUE_URL;
  const deadLetterQueueUrl = options.deadLetterQueueUrl ?? process.env.POSTBOX_DEAD_LETTER_QUEUE_URL;
  const actions = new QueueActions(options.sqs, queue, {
    ...(queueUrl && { queueUrl }),
    ...(deadLetterQueueUrl && { deadLetterQueueUrl }),
  });

  /** Applies a message's outcome; true when it leaves the queue (processed, or dead-lettered). */
  async function settle(message: ReceivedMessage, outcome: ProcessingOutcome): Promise<boolean> {
    if (outcome.status === 'processed') return true;
    if (outcome.action === 'retry') {
      metrics.count(outcome.messageType, 'Retried');
      await delay(message, outcome.delaySeconds);
      return false;
    }
    try {
      await actions.deadLetter(message, { error: outcome.error, handler: outcome.handler, attempt: message.receiveCount });
      metrics.count(outcome.messageType, 'DeadLettered');
      return true;
    } catch (error) {
      logger.error('could not send the message to the dead-letter queue; it stays on its queue', { messageId: message.messageId, error });
      return false;
    }
  }

  async function delay(message: ReceivedMessage, seconds: number): Promise<void> {
    await actions.changeVisibility(message.receiptHandle, seconds).catch((error: unknown) => {
      logger.warn('could not delay the retry; the message returns after the queue visibility timeout', { messageId: message.messageId, error });
    });
  }

  async function processBatch(event: SQSEvent): Promise<SQSBatchResponse> {
    const messages = event.Records.map(fromSqsRecord);
    const failures: SQSBatchItemFailure[] = [];
    if (queue!.fifo) {
      // After a failure, the rest of its group is released unprocessed: SQS holds a FIFO
      // group back while its failed message is invisible, then delivers them in order.
      const blockedGroups = new Set<string>();
      for (const message of messages) {
        const group = message.groupId ?? '';
        if (blockedGroups.has(group)) {
          await delay(message, 0);
          failures.push({ itemIdentifier: message.messageId });
        } else if (!(await settle(message, await processor.process(message)))) {
          blockedGroups.add(group);
          failures.push({ itemIdentifier: message.messageId });
        }
      }
    } else {
      const outcomes = await Promise.all(messages.map((message) => processor.process(message)));
      const settled = await Promise.all(outcomes.map((outcome, index) => outcome.status === 'processed' || settle(messages[index]!, outcome)));
      settled.forEach((left, index) => left || failures.push({ itemIdentifier: messages[index]!.messageId }));
    }
    logger.debug('batch done', { records: messages.length, failed: failures.length });
    return { batchItemFailures: failures };
  }

  return middy<SQSEvent, SQSBatchResponse>()
    .use(invocationLoggingMiddleware(logger))
    .use(metricsFlushMiddleware(metrics))
    .handler(processBatch);
}
