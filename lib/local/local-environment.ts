import type { WorkerQueues } from '../runtime/consuming/workers/define-workers.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, type AwsClientOptions } from '../aws/aws-client-config.ts';
import { createAwsClients } from '../aws/aws-clients.ts';
import { endpointClientOptions } from '../aws/local-endpoint.ts';
import type { Logger } from '../runtime/observability/logger.ts';
import type { ResolvedTopology } from '../topology/resolve-topology.ts';
import { startEmbeddedEmulator, type EmulatorKind } from './embedded-emulator.ts';
import { InMemoryIdempotencyStore } from '../runtime/consuming/idempotency/in-memory-idempotency-store.ts';
import { setProcessIdempotencyStore } from '../runtime/consuming/idempotency/process-idempotency-store.ts';
import { provisionTopology, type ProvisionedTopology } from './provisioner.ts';
import { provisionIdempotencyTable, provisionJobLockTable } from './store-provisioner.ts';

export interface LocalEnvironment {
  readonly endpoint: string;
  readonly provisioned: ProvisionedTopology;
  /** The job lock table of the topology's workers; undefined when it has none, or the emulator has no DynamoDB. */
  readonly jobLockTable?: string;
  /** Stops the emulator: call it last, once nothing talks to it any more. */
  stop(): Promise<void>;
}

export interface LocalEnvironmentOptions {
  readonly logger: Logger;
  /** @default POSTBOX_EMULATOR, else fauxqs */
  readonly emulator?: EmulatorKind;
  /** Whether a worker queue locks unique jobs (its `uniqueJobs` in the workers module). @default false */
  readonly uniqueJobs?: boolean;
}

/** Whether any worker queue of a service locks unique jobs. */
export function usesUniqueJobs(workers: WorkerQueues | undefined): boolean {
  return Object.values(workers ?? {}).some((queue) => (queue as { uniqueJobs?: unknown } | undefined)?.uniqueJobs !== undefined);
}

/** Says, to a service that keeps something there, that the emulator has no DynamoDB and how to get it. */
export function warnNoDynamoDb(logger: Logger, topology: Pick<ResolvedTopology, 'app' | 'queues'>, uniqueJobs: boolean): void {
  if (!uniqueJobs && !topology.queues.some((queue) => queue.idempotency)) return;
  logger.warn(
    'the emulator has no DynamoDB (moto is not installed): unique jobs are locked and idempotency records kept in this process only; npm run emulator:install (or POSTBOX_EMULATOR=moto) gives their tables',
    { app: topology.app },
  );
}

/**
 * The embedded emulator with a topology provisioned into it: what `postbox worker --local` and
 * `postbox dev` run against when no endpoint is given.
 */
export async function startLocalEnvironment(topology: ResolvedTopology, options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const emulator = await startEmbeddedEmulator(options.emulator);
  try {
    const clientOptions = endpointClientOptions({ endpoint: emulator.endpoint });
    const provisioned = await provisionTopology(topology, createAwsClients(clientOptions));
    const dynamodb = new DynamoDBClient(awsClientConfig(clientOptions));
    const jobLockTable = emulator.dynamodb ? await provisionJobLockTable(topology, dynamodb) : undefined;
    if (emulator.dynamodb) await provisionIdempotencyTable(topology, dynamodb);
    else setProcessIdempotencyStore(new InMemoryIdempotencyStore());
    if (!emulator.dynamodb) warnNoDynamoDb(options.logger, topology, options.uniqueJobs ?? false);
    options.logger.info('local emulator ready, topology provisioned', {
      endpoint: emulator.endpoint,
      stage: topology.stage,
      queues: [...provisioned.queues.keys()],
      topics: [...provisioned.topicArns.keys()],
      ...(jobLockTable && { jobLockTable }),
    });
    return { endpoint: emulator.endpoint, provisioned, ...(jobLockTable && { jobLockTable }), stop: () => emulator.stop() };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/**
 * Sets what Lambda and ECS set for the code they run, for the handler modules and the worker process, which
 * make their own clients from the environment: the endpoint, and at a loopback endpoint a region and
 * credentials where none are set (the emulator takes any).
 */
export function exportEndpointEnvironment(endpoint: string, env: NodeJS.ProcessEnv = process.env): void {
  const { region, credentials } = endpointClientOptions({ endpoint }, env);
  env.AWS_ENDPOINT_URL = endpoint;
  if (region) env.AWS_REGION = region;
  if (credentials) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  }
}

/** An S3 client for an emulator's endpoint: path-style, since the emulator's host names no bucket. */
export function localS3Client(options: AwsClientOptions): S3Client {
  return new S3Client({ ...awsClientConfig(options), forcePathStyle: true });
}
