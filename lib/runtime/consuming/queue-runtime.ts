import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { capVisibilitySeconds } from '../../retry/visibility-budget.ts';
import { MessageCatalog } from '../../messages/message-catalog.ts';
import type { AnyTopology } from '../../messages/message-types.ts';
import { DEPLOYED_ENVIRONMENT } from '../../messages/wire-contract.ts';
import { idempotencyTableName } from '../../topology/naming.ts';
import { queueOfResolved, resolveQueueOf, type ResolvedQueue, type ResolvedTopology } from '../../topology/resolve-topology.ts';
import { stageOf } from '../../topology/stage-of.ts';
import { decodeDeployedQueue } from '../../topology/deployed-queue.ts';
import { EmfMetrics } from '../observability/emf-metrics.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { HandlerConfigurationError } from './handler-configuration-error.ts';
import { DynamoDbIdempotencyStore } from './idempotency/dynamodb-idempotency-store.ts';
import type { IdempotencyStore } from './idempotency/idempotency-store.ts';
import { processIdempotencyStore } from './idempotency/process-idempotency-store.ts';
import { S3PayloadStore } from '../payloads/s3-payload-store.ts';
import { MessageProcessor, type ProcessingOutcome, type ProcessingScope, type ReceivedMessage } from './message-processor.ts';
import type { MessageHandlers } from './handler-context.ts';
import { QueueActions } from './queue-actions.ts';
import { replyDeadLettered } from './request-reply.ts';
import { HookRunner, type MessageHooks } from './message-hooks.ts';

export interface QueueRuntimeOptions<T extends AnyTopology> {
  /** Logical name of the queue: the subscriber's name, or the command queue id (`invoice-generate`). */
  readonly queue: string;
  /** A handler for every message type that arrives on the queue. */
  readonly handlers: MessageHandlers<T>;
  /**
   * Stage the topology is resolved for.
   * @default POSTBOX_STAGE (set by MessagingStack), else `dev`: the one rule of `stageOf`
   */
  readonly stage?: string;
  /**
   * The whole topology, already resolved at this stage by whoever runs several consumers (`runWorkers`, the local
   * system): its queue is taken from it instead of resolving the declaration again. @default this queue resolved alone
   */
  readonly resolved?: ResolvedTopology;
  /** @default a client for AWS_ENDPOINT_URL / AWS_REGION, made when first needed */
  readonly sqs?: SQSClient;
  /** Reads the payloads that pointer messages name (claim check). @default a client for AWS_ENDPOINT_URL / AWS_REGION, made on the first pointer */
  readonly s3?: S3Client;
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
  /**
   * Where the idempotency records of a queue that declares `idempotency` live.
   * @default the store `setProcessIdempotencyStore` set, else the DynamoDB table POSTBOX_IDEMPOTENCY_TABLE (set by
   * MessagingStack), else `<app>-<stage>-idempotency`
   */
  readonly idempotencyStore?: IdempotencyStore;
  /** Hooks around every message, before the process's own (see `addProcessHooks`). @default none */
  readonly hooks?: readonly MessageHooks[];
}

/**
 * What every consumer of a queue shares, Lambda or polling: the resolved
 * queue, its processor, logger, metrics, and the actions that settle a
 * failed message. Only how messages arrive and are acknowledged differs.
 */
export class QueueRuntime {
  readonly queue: ResolvedQueue;
  readonly logger: Logger;
  readonly metrics: EmfMetrics;
  readonly processor: MessageProcessor;
  readonly actions: QueueActions;
  readonly hooks: HookRunner;
  private readonly catalog: MessageCatalog;

  constructor(topology: AnyTopology, options: QueueRuntimeOptions<any>) {
    const stage = options.resolved?.stage ?? stageOf(options.stage);
    // Only this queue is resolved, and not even that when synthesis left it resolved in the function's environment:
    // a cold start pays for no other queue's checks (the topology was validated at synthesis).
    const resolved = options.resolved
      ? queueOfResolved(options.resolved, options.queue)
      : (decodeDeployedQueue(topology, stage, options.queue, process.env[DEPLOYED_ENVIRONMENT.resolvedQueue]) ?? resolveQueueOf(topology, { stage, queue: options.queue }));
    const { queue } = resolved;
    if (!queue) {
      throw new HandlerConfigurationError(`queue '${options.queue}'`, [
        `topology '${resolved.app}' has no such queue; its queues are ${resolved.queueIds().map((id) => `'${id}'`).join(', ')}`,
      ]);
    }
    this.queue = queue;
    this.logger = options.logger ?? createLogger({ app: resolved.app, stage, queue: queue.id });
    this.metrics = new EmfMetrics(`Postbox/${resolved.app}`, queue.id, options.writeMetrics);
    const idempotencyStore =
      options.idempotencyStore ??
      processIdempotencyStore() ??
      (queue.idempotency && new DynamoDbIdempotencyStore({ tableName: process.env[DEPLOYED_ENVIRONMENT.idempotencyTable] ?? idempotencyTableName(resolved.prefix) }));
    this.hooks = new HookRunner(options.hooks ?? [], this.logger);
    const queueUrl = options.queueUrl ?? process.env[DEPLOYED_ENVIRONMENT.queueUrl];
    const deadLetterQueueUrl = options.deadLetterQueueUrl ?? process.env[DEPLOYED_ENVIRONMENT.deadLetterQueueUrl];
    this.actions = new QueueActions(options.sqs, queue, {
      ...(queueUrl && { queueUrl }),
      ...(deadLetterQueueUrl && { deadLetterQueueUrl }),
    });
    this.catalog = new MessageCatalog(resolved);
    this.processor = new MessageProcessor(queue, this.catalog, options.handlers, this.logger, this.metrics, options.random, new S3PayloadStore(options.s3), idempotencyStore, this.actions);
  }

  /**
   * Acts on a failed message: a retry delays it by its backoff; a dead-letter
   * copies it to the DLQ. Resolves to true when the message is to leave its
   * queue (the caller deletes it, or lets Lambda do so). `scope`: the invocation's metrics and logger.
   */
  async settleFailure(message: ReceivedMessage, outcome: Exclude<ProcessingOutcome, { status: 'processed' }>, scope?: ProcessingScope): Promise<boolean> {
    this.hooks.onError({ queue: this.queue, message, outcome });
    const metrics = scope?.metrics ?? this.metrics;
    if (outcome.action === 'retry') {
      metrics.count(outcome.messageType, 'Retried');
      await this.delay(message, outcome.delaySeconds, scope);
      this.settled(message, outcome, false);
      return false;
    }
    let left: boolean;
    try {
      await this.actions.deadLetter(message, { error: outcome.error, handler: outcome.handler, attempt: message.receiveCount });
      metrics.count(outcome.messageType, 'DeadLettered');
      left = true;
      // A Requester waiting for this command fails at once with the reason, rather than at its timeout.
      await replyDeadLettered(this.actions, outcome.envelope, this.catalog.get(outcome.messageType)?.reply !== undefined, outcome.error).catch((error: unknown) =>
        (scope?.logger ?? this.logger).warn('could not tell the requester its request was dead-lettered; it times out instead', { messageId: message.messageId, error }),
      );
    } catch (error) {
      (scope?.logger ?? this.logger).error('could not send the message to the dead-letter queue; it stays on its queue', { messageId: message.messageId, error });
      left = false;
    }
    this.settled(message, outcome, left);
    return left;
  }

  /**
   * Decodes, validates and handles one message (MessageProcessor.process), after the `before` hooks: what both
   * drivers call for each message they receive. `started`: see MessageProcessor.finishedAt.
   */
  process(message: ReceivedMessage, scope?: ProcessingScope, started?: number): ProcessingOutcome | Promise<ProcessingOutcome> {
    this.hooks.before(message, this.queue);
    return this.processor.process(message, scope, started);
  }

  /** Tells the `after` hooks what became of a message; the drivers call it for processed ones. */
  settled(message: ReceivedMessage, outcome: ProcessingOutcome, left: boolean): void {
    this.hooks.after({ queue: this.queue, message, outcome, left });
  }

  /**
   * Hides a message for `seconds`, cut to what is left of the 12 hours SQS allows from its receipt;
   * on failure it returns after its current visibility timeout anyway.
   */
  async delay(message: ReceivedMessage, seconds: number, scope?: ProcessingScope): Promise<void> {
    const allowed = message.receivedAt === undefined ? seconds : capVisibilitySeconds(seconds, message.receivedAt, Date.now());
    await this.actions.changeVisibility(message.receiptHandle, allowed).catch((error: unknown) => {
      (scope?.logger ?? this.logger).warn('could not change the visibility of a message; it returns after its current visibility timeout', {
        messageId: message.messageId,
        error,
      });
    });
  }
}
