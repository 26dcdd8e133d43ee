import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AnyTopology } from '../messages/message-types.ts';
import { missingEntries } from '../config/missing-entries.ts';
import { TopologyError } from '../topology/topology-error.ts';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import type { AwsClients } from '../aws/aws-clients.ts';
import type { WorkerQueues } from '../runtime/consuming/workers/define-workers.ts';
import { runWorkers, type RunningWorkers } from '../runtime/consuming/workers/run-workers.ts';
import type { StopReason } from '../runtime/consuming/polling/polling-consumer.ts';
import type { Logger } from '../runtime/observability/logger.ts';
import { DynamoDbOutboxStore } from '../runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { OutboxPoller } from '../runtime/publishing/outbox/outbox-poller.ts';
import type { ResolvedTopology } from '../topology/resolve-topology.ts';
import { runsInWorker } from '../topology/topology-schema.ts';
import { LocalEventSource, type SqsLambdaHandler } from './local-event-source.ts';
import type { PausableConsumer } from './local-consumers.ts';
import type { ProvisionedTopology } from './provisioner.ts';
import { TestSystemError } from './test-system-errors.ts';

export interface LocalRunnerOptions {
  /** The service's declaration, and the same resolved at the stage to run under. */
  readonly declaration: AnyTopology;
  readonly topology: ResolvedTopology;
  /** Where its queues are. */
  readonly provisioned: ProvisionedTopology;
  /** Where the Lambda handlers' `entry` paths start. */
  readonly root: string;
  /** The workers module's handlers and unique jobs, by queue id. @default none */
  readonly workers?: WorkerQueues;
  /** The job lock table of the workers. @default none: unique jobs are locked within this process */
  readonly jobLockTable?: string;
  /** The payload bucket the Lambda handlers' publishers store large payloads in. @default none: such messages are refused */
  readonly payloadBucket?: string;
  /** The outbox table, relayed by polling as the stream Lambda relays it on AWS. @default none */
  readonly outboxTable?: string;
  readonly clients: AwsClients;
  readonly dynamodb: DynamoDBClient;
  /** Long-poll waits of the local event sources and of the workers. */
  readonly waitSeconds: { readonly lambda: number; readonly worker: number };
  /** Local event sources per Lambda queue, at most its maxConcurrency. @default 1 */
  readonly pollersPerLambda?: number;
  readonly logger: Logger;
}

/** One service running on this machine: its Lambda handlers behind local event sources, its workers, and its outbox relay. */
export interface LocalRunner {
  readonly workers?: RunningWorkers;
  /** What receives each queue's messages (its local event sources, or its worker's consumer), by queue id. */
  readonly consumers: ReadonlyMap<string, readonly PausableConsumer[]>;
  /** Stops receiving and lets running handlers settle; the workers log the reason. @default 'requested' */
  stop(reason?: StopReason): Promise<void>;
}

/**
 * Runs one resolved service as Lambda and ECS would: each Lambda entry loaded with the environment MessagingStack
 * gives its function, behind a local event source, and the workers polling. `postbox dev` and postbox/testing run
 * every service, the first and those beside it, through this.
 */
export async function startLocalRunner(options: LocalRunnerOptions): Promise<LocalRunner> {
  const { topology, provisioned, clients, logger } = options;
  // Each local event source with the id of the queue it receives.
  const sources: Array<[string, LocalEventSource]> = [];
  let workers: RunningWorkers | undefined;
  let outbox: OutboxPoller | undefined;
  const stop = async (reason: StopReason = 'requested') => {
    await Promise.all([...sources.map(([, source]) => source.stop()), workers?.stop(reason), outbox?.stop()]);
  };
  try {
    if (options.outboxTable) {
      outbox = new OutboxPoller({
        sns: clients.sns,
        sqs: clients.sqs,
        store: new DynamoDbOutboxStore({ tableName: options.outboxTable, dynamodb: options.dynamodb }),
        idleMs: 250,
        onReport: ({ deadLettered, problems }) => {
          for (const record of deadLettered) logger.warn('outbox send dead-lettered; see postbox outbox show', { id: record.id, type: record.type, reason: record.reason });
          for (const problem of problems) logger.error('outbox relay could not record an outcome; the records are relayed again', { problem });
        },
        onError: (error) => logger.error('outbox relay failed to read the table', { table: options.outboxTable, error }),
      });
      outbox.start();
    }
    const missing = missingEntries(topology, options.root);
    if (missing.length > 0) throw new TopologyError(topology.app, missing);
    for (const queue of topology.queues) {
      if (queue.handler.kind !== 'lambda') continue;
      const { url, deadLetterUrl } = provisioned.queues.get(queue.id)!;
      const handler = await loadLambdaHandler(path.resolve(options.root, queue.handler.entry), {
        [DEPLOYED_ENVIRONMENT.stage]: topology.stage,
        [DEPLOYED_ENVIRONMENT.queueUrl]: url,
        [DEPLOYED_ENVIRONMENT.deadLetterQueueUrl]: deadLetterUrl,
        ...(options.payloadBucket && { [DEPLOYED_ENVIRONMENT.payloadBucket]: options.payloadBucket }),
        ...(options.outboxTable && { [DEPLOYED_ENVIRONMENT.outboxTable]: options.outboxTable }),
      });
      for (let poller = 0; poller < Math.min(options.pollersPerLambda ?? 1, queue.handler.maxConcurrency); poller++) {
        const source = new LocalEventSource({
          sqs: clients.sqs,
          queueUrl: url,
          handler,
          batchSize: queue.handler.batchSize,
          waitTimeSeconds: options.waitSeconds.lambda,
          functionName: queue.id,
          timeoutSeconds: queue.handler.timeoutSeconds,
        });
        source.start(
          (result) => {
            if (result.notDeleted.length > 0) {
              logger.warn('handled messages were not deleted; they come back after their visibility timeout and are handled again', { queue: queue.id, notDeleted: result.notDeleted });
            }
          },
          (error) => logger.error('local event source failed to poll', { queue: queue.id, error }),
        );
        sources.push([queue.id, source]);
      }
    }
    if (topology.queues.some((queue) => runsInWorker(queue.handler))) {
      workers = await runWorkers(options.declaration, {
        stage: topology.stage,
        queues: options.workers ?? {},
        resolved: topology,
        ...(options.jobLockTable && { jobLockTable: options.jobLockTable }),
        sqs: clients.sqs,
        dynamodb: options.dynamodb,
        consumer: { waitTimeSeconds: options.waitSeconds.worker },
        logger,
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const consumers = new Map<string, PausableConsumer[]>();
  for (const [queue, source] of sources) consumers.set(queue, [...(consumers.get(queue) ?? []), source]);
  for (const consumer of workers?.consumers ?? []) consumers.set(consumer.queueId, [consumer]);
  return { ...(workers && { workers }), consumers, stop };
}

/**
 * Loads a Lambda entry file once per stage (the query makes it a module of its own), with the environment that
 * MessagingStack gives the function in Lambda; the handler reads it as it is made.
 */
async function loadLambdaHandler(file: string, env: Record<string, string>): Promise<SqsLambdaHandler> {
  const before = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    const module = (await import(`${pathToFileURL(file).href}?postbox-stage=${env[DEPLOYED_ENVIRONMENT.stage]}`)) as { handler?: SqsLambdaHandler };
    if (typeof module.handler !== 'function') throw new TestSystemError(`${file} exports no handler; export const handler = createSqsHandler(topology, { queue, handlers }).`);
    return module.handler;
  } finally {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
