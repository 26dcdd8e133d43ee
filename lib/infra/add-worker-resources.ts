import path from 'node:path';
import { Stage, type Stack } from 'aws-cdk-lib';
import { ConfigError } from '../config/config-error.ts';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import { jobLockTableName } from '../topology/naming.ts';
import type { ResolvedTopology } from '../topology/resolved-topology.ts';
import { runsInWorker } from '../topology/topology-schema.ts';
import type { DurableQueue } from './durable-queue.ts';
import type { IdempotencyTable } from './idempotency-table.ts';
import { repliesTo, type Replies } from './add-handler-resources.ts';
import { JobLockTable } from './job-lock-table.ts';
import { grantReplying } from './reply-queue-grants.ts';
import { grantHttpEndpoints } from './http-endpoint-grants.ts';
import type { PayloadBucket } from './payload-bucket.ts';
import { writeWorkerImage } from './worker-image.ts';
import { WorkerService, type WorkerServiceProps } from './worker-service.ts';

/** What the worker handlers' resources take from their stack. */
export interface WorkerResourcesContext {
  readonly projectRoot: string;
  /** The module of `defineWorkers(...)` that the image bundles (MessagingStack `workersModule`). */
  readonly workersModule?: string;
  /** The topology's module, which the image runs alone when every worker queue is of kind http (MessagingStack `topologyModule`). */
  readonly topologyModule?: string;
  /** Every queue of the stack, by handler name. */
  readonly queues: ReadonlyMap<string, DurableQueue>;
  /** The service's settings: the profile's, with the stack's `workers` props over them. */
  readonly settings?: Omit<WorkerServiceProps, 'queues' | 'imageDirectory' | 'environment' | 'jobLocks'>;
  /** Environment of every task besides the stage and account (payload bucket, outbox table). */
  readonly environment: Record<string, string>;
  readonly idempotencyEnvironment: Record<string, string>;
  readonly payloads?: PayloadBucket;
  readonly idempotency?: IdempotencyTable;
  /** The stage's reply queues and the commands that reply, when any does. */
  readonly replies?: Replies;
}

export interface WorkerResources {
  readonly jobLocks: JobLockTable;
  readonly workers: WorkerService;
}

/**
 * The Fargate service of the topology's worker handlers, with the lock table of their unique jobs, its image's
 * build context, and the task role's reads of payloads and idempotency records; none without worker handlers.
 */
export function addWorkerResources(stack: Stack, topology: ResolvedTopology, context: WorkerResourcesContext): WorkerResources | undefined {
  const workerQueues = topology.queues.filter((queue) => runsInWorker(queue.handler));
  if (workerQueues.length === 0) return undefined;
  const idempotent = workerQueues.some((queue) => queue.idempotency);
  const jobLocks = new JobLockTable(stack, 'JobLocks', { tableName: jobLockTableName(topology.prefix) });
  const workers = new WorkerService(stack, 'Workers', {
    ...context.settings,
    jobLocks,
    queues: workerQueues.map((queue) => context.queues.get(queue.id)!),
    imageDirectory: workerImage(stack, topology, workerQueues.map((queue) => queue.id), context),
    environment: {
      [DEPLOYED_ENVIRONMENT.stage]: topology.stage,
      [DEPLOYED_ENVIRONMENT.accountId]: stack.account,
      ...context.environment,
      ...(idempotent && context.idempotencyEnvironment),
    },
  });
  context.payloads?.grantReadPayloads(workers.taskDefinition.taskRole);
  if (idempotent) context.idempotency!.grantRecords(workers.taskDefinition.taskRole);
  if (workerQueues.some((queue) => repliesTo(queue, context.replies))) grantReplying(workers.taskDefinition.taskRole, context.replies!.prefix);
  grantHttpEndpoints(workers.taskDefinition.taskRole, workerQueues);
  return { jobLocks, workers };
}

/** Writes the build context of the worker image into the cloud assembly's directory; returns its path. */
function workerImage(stack: Stack, topology: ResolvedTopology, queueIds: readonly string[], context: WorkerResourcesContext): string {
  const directory = path.join(Stage.of(stack)!.outdir, `${stack.artifactId}.worker-image`);
  if (!stack.bundlingRequired) return writeWorkerImage(directory, { projectRoot: context.projectRoot });
  const httpOnly = topology.queues.every((queue) => queue.handler.kind !== 'worker');
  if (context.workersModule === undefined && httpOnly && context.topologyModule !== undefined) {
    return writeWorkerImage(directory, { projectRoot: context.projectRoot, topologyModule: context.topologyModule });
  }
  if (context.workersModule === undefined) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `stack ${stack.stackName}: topology '${topology.app}' has worker queues (${queueIds.join(', ')}) but no workers module for its worker image; ` +
        'set `workers` in postbox.config.ts (MessagingStack prop workersModule) to the module that exports default defineWorkers(topology, { ... })',
    );
  }
  return writeWorkerImage(directory, { projectRoot: context.projectRoot, workersModule: context.workersModule });
}
