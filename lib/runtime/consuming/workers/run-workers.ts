import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AnyTopology } from '../../../messages/message-types.ts';
import { DEPLOYED_ENVIRONMENT } from '../../../messages/wire-contract.ts';
import { resolveTopology, type ResolvedTopology } from '../../../topology/resolve-topology.ts';
import { createLogger, type Logger } from '../../observability/logger.ts';
import { idempotencyTableName } from '../../../topology/naming.ts';
import { runsInWorker } from '../../../topology/topology-schema.ts';
import { DynamoDbIdempotencyStore } from '../idempotency/dynamodb-idempotency-store.ts';
import type { IdempotencyStore } from '../idempotency/idempotency-store.ts';
import { processIdempotencyStore } from '../idempotency/process-idempotency-store.ts';
import { DynamoDbJobLock } from './dynamodb-job-lock.ts';
import { startHealthServer, type HealthServer } from './health-server.ts';
import { HandlerConfigurationError } from '../handler-configuration-error.ts';
import { PollingConsumer, type ConsumerLimits, type PollingConsumerOptions, type StopReason } from '../polling/polling-consumer.ts';
import type { UniqueJobs } from './unique-jobs.ts';
import { ScaleInProtection, type ScaleInProtectionOptions } from './scale-in-protection.ts';
import type { WorkerQueues } from './define-workers.ts';
import { declaredHttpHandler } from '../http-delivery/declared-http-handler.ts';

export interface RunWorkersOptions<T extends AnyTopology> {
  readonly stage: string;
  /** What runs every worker queue, by queue id: its handlers, unique jobs and read-ahead (`defineWorkers(...).queues`). */
  readonly queues: WorkerQueues<T>;
  /** The topology already resolved at this stage by the caller (the local system): not resolved again. @default resolved here */
  readonly resolved?: ResolvedTopology;
  /**
   * DynamoDB table (the `JobLockTable` construct) that makes unique jobs unique
   * across every worker: a unique-jobs entry without a lock of its own gets a
   * DynamoDbJobLock on it, whose lease is the queue's task timeout plus a minute.
   * @default POSTBOX_JOB_LOCK_TABLE, else none: unique within this process
   */
  readonly jobLockTable?: string;
  /** @default a client for AWS_ENDPOINT_URL / AWS_REGION */
  readonly sqs?: SQSClient;
  /** Client of the job lock and idempotency tables. @default a client for AWS_ENDPOINT_URL / AWS_REGION */
  readonly dynamodb?: DynamoDBClient;
  /**
   * Where the idempotency records of worker queues that declare `idempotency` live.
   * @default the DynamoDB table POSTBOX_IDEMPOTENCY_TABLE, else `<app>-<stage>-idempotency`, through `dynamodb`
   */
  readonly idempotencyStore?: IdempotencyStore;
  /** Port of the health endpoint; 0 picks a free one. @default no health endpoint */
  readonly healthPort?: number;
  /** @default none */
  readonly limits?: ConsumerLimits;
  /** Further settings of every consumer. */
  readonly consumer?: Partial<PollingConsumerOptions<T>>;
  readonly logger?: Logger;
  /**
   * Keeps the ECS task protected from scale-in and deploys while it holds messages (see ScaleInProtection); false: never.
   * @default on in an ECS task (the agent sets ECS_AGENT_URI there), else off
   */
  readonly scaleInProtection?: Omit<ScaleInProtectionOptions, 'logger'> | false;
}

export interface RunningWorkers {
  readonly consumers: readonly PollingConsumer<any>[];
  readonly health?: HealthServer;
  /** Resolves with the reason the first consumer stopped, once all have. */
  readonly stopped: Promise<StopReason>;
  stop(reason: StopReason): Promise<void>;
}

/**
 * Runs a PollingConsumer for every queue of the topology whose handler is a
 * worker (subscribers and command queues alike). When one stops (a limit, a
 * signal), all stop, so the process can exit and be restarted whole.
 */
export async function runWorkers<T extends AnyTopology>(topology: T, options: RunWorkersOptions<T>): Promise<RunningWorkers> {
  const resolved = options.resolved ?? resolveTopology(topology, { stage: options.stage });
  const workerQueues = resolved.queues.filter((queue) => runsInWorker(queue.handler)).map((queue) => queue.id);
  const httpQueues = new Set(resolved.queues.filter((queue) => queue.handler.kind === 'http').map((queue) => queue.id));
  const missing = workerQueues.filter((id) => !httpQueues.has(id) && !options.queues[id]?.handlers);
  const unknown = Object.keys(options.queues).filter((id) => !workerQueues.includes(id));
  const declared = Object.keys(options.queues).filter((id) => httpQueues.has(id));
  if (missing.length > 0 || unknown.length > 0 || declared.length > 0) {
    throw new HandlerConfigurationError(`the workers of topology '${resolved.app}'`, [
      ...missing.map((id) => `no handlers for worker queue '${id}'`),
      ...unknown.map((id) => `'${id}' is not a worker queue`),
      ...declared.map((id) => `'${id}' is delivered to the HTTP endpoint its topology handler declares; remove it from the workers`),
    ]);
  }
  // Made once, here: a queue of kind http runs no module of the user's, one handler for all the types it carries.
  const definitions = {
    ...options.queues,
    ...Object.fromEntries(
      resolved.queues.flatMap((queue) => {
        if (queue.handler.kind !== 'http') return [];
        const deliver = declaredHttpHandler(queue.id, queue.handler);
        return [[queue.id, { handlers: Object.fromEntries(queue.messageTypes.map((type) => [type, deliver])) }]];
      }),
    ),
  } as WorkerQueues<T>;
  const jobLockTable = options.jobLockTable ?? process.env[DEPLOYED_ENVIRONMENT.jobLockTable];
  const uniqueJobsOf = (queue: string): UniqueJobs | undefined => {
    const unique = definitions[queue]!.uniqueJobs;
    if (!unique || unique.lock || !jobLockTable) return unique;
    const { timeoutSeconds } = resolved.queues.find((candidate) => candidate.id === queue)!.handler;
    const lock = new DynamoDbJobLock({ tableName: jobLockTable, leaseSeconds: timeoutSeconds + 60, ...(options.dynamodb && { dynamodb: options.dynamodb }) });
    return { ...unique, lock };
  };
  const idempotencyStore =
    options.idempotencyStore ??
    processIdempotencyStore() ??
    (options.dynamodb && new DynamoDbIdempotencyStore({ tableName: process.env[DEPLOYED_ENVIRONMENT.idempotencyTable] ?? idempotencyTableName(resolved.prefix), dynamodb: options.dynamodb }));
  const consumers = workerQueues.map((queue) => {
    const uniqueJobs = uniqueJobsOf(queue);
    return new PollingConsumer(topology, {
      ...options.consumer,
      stage: options.stage,
      resolved,
      queue,
      handlers: definitions[queue]!.handlers,
      ...(uniqueJobs && { uniqueJobs }),
      ...(definitions[queue]!.prefetch !== undefined && { prefetch: definitions[queue]!.prefetch }),
      ...(idempotencyStore && { idempotencyStore }),
      ...(options.sqs && { sqs: options.sqs }),
      ...(options.limits && { limits: options.limits }),
      ...(options.logger && { logger: options.logger.child({ queue }) }),
    });
  });
  const protection = scaleInProtectionOf(options, resolved.app);
  if (protection) {
    // The task is protected while any of its consumers holds a message.
    const held = new Map<PollingConsumer<any>, number>();
    for (const consumer of consumers) {
      consumer.on('holding', (messages) => {
        held.set(consumer, messages);
        protection.holding([...held.values()].reduce((sum, count) => sum + count, 0));
      });
    }
  }
  const health = options.healthPort === undefined ? undefined : await startHealthServer(consumers, options.healthPort);
  const stop = async (reason: StopReason) => {
    await Promise.all(consumers.map((consumer) => consumer.stop(reason)));
    await protection?.close();
    await health?.close();
  };
  const stopped = new Promise<StopReason>((resolve) => {
    for (const consumer of consumers) {
      consumer.once('stopped', (reason) => {
        void stop(reason).then(() => resolve(reason));
      });
    }
  });
  for (const consumer of consumers) consumer.start();
  return { consumers, ...(health && { health }), stopped, stop };
}

function scaleInProtectionOf(options: RunWorkersOptions<any>, app: string): ScaleInProtection | undefined {
  const agentUri = process.env.ECS_AGENT_URI;
  const settings = options.scaleInProtection ?? (agentUri ? { agentUri } : false);
  if (!settings) return undefined;
  return new ScaleInProtection({ ...settings, logger: options.logger ?? createLogger({ app, stage: options.stage }) });
}
