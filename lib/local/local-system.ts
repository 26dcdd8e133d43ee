import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AnyTopology } from '../messages/message-types.ts';
import { QueueDirectory } from '../operations/queue-directory.ts';
import { awsClientConfig } from '../aws/aws-client-config.ts';
import { createAwsClients, type AwsClients } from '../aws/aws-clients.ts';
import { setProcessScheduler } from '../runtime/publishing/scheduling/message-scheduler.ts';
import { LocalMessageScheduler } from './local-message-scheduler.ts';
import type { Logger } from '../runtime/observability/logger.ts';
import type { WorkerQueues } from '../runtime/consuming/workers/define-workers.ts';
import { endpointClientOptions } from '../aws/local-endpoint.ts';
import type { ResolvedTopology } from '../topology/resolve-topology.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';
import { ConsolePortInUseError } from './local-errors.ts';
import { startLocalRunner, type LocalRunner } from './local-runner.ts';
import { publishersFirst } from './publishers-first.ts';
import { exportEndpointEnvironment, localS3Client, startLocalEnvironment, usesUniqueJobs, warnNoDynamoDb } from './local-environment.ts';
import { InMemoryIdempotencyStore } from '../runtime/consuming/idempotency/in-memory-idempotency-store.ts';
import { setProcessIdempotencyStore } from '../runtime/consuming/idempotency/process-idempotency-store.ts';
import { provisionTopology, type ProvisionedQueue, type ProvisionedTopology } from './provisioner.ts';
import { provisionTablesWhereServed, provisionOutboxTableWhereServed, provisionPayloadBucketWhereServed } from './store-provisioner.ts';
import { outboxTableName } from '../topology/naming.ts';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import { SystemSampler } from './system-sampler.ts';
import { MessageJourneys } from './message-journeys.ts';
import { addProcessHooks } from '../runtime/consuming/message-hooks.ts';
import { consoleActionRoutes } from './console-actions.ts';
import { LocalConsumers } from './local-consumers.ts';
import { LocalPublishing } from './local-publishing.ts';
import { journeyRoutes } from './console-journey-routes.ts';

/** Long-poll waits of the local workers and, shorter, of the local event sources. */
const WORKER_WAIT_SECONDS = 2;
const LAMBDA_WAIT_SECONDS = 1;

export interface LocalSystemOptions<T extends AnyTopology> {
  /** The declaration resolved once, at the stage to run under, by the caller. */
  readonly topology: ResolvedTopology;
  /** An endpoint to use instead of the embedded emulator (LocalStack, AWS). @default the embedded emulator */
  readonly endpoint?: string;
  /** Create the topology's resources at the endpoint. @default true */
  readonly provision?: boolean;
  /** What runs the worker queues (handlers, unique jobs locked in the emulator's job lock table, read-ahead), by queue id. */
  readonly workers: WorkerQueues<T>;
  /** Where the Lambda handlers' `entry` paths start. */
  readonly projectRoot: string;
  /** Port of the console; 0 picks a free one; false runs none. */
  readonly consolePort: number | false;
  /** Provision the outbox table and relay it (the config's `outbox`). @default false */
  readonly outbox?: boolean;
  /**
   * Other services to run beside this one, at the same endpoint and stage (publishers are provisioned first). Their
   * queues join the console and the live view; queue names must not repeat across the services.
   * @default none
   */
  readonly with?: readonly LocalService[];
  readonly logger: Logger;
}

/** A service running beside the first one in `postbox dev`. */
export interface LocalService {
  readonly declaration: AnyTopology;
  /** Resolved at the first service's stage. */
  readonly topology: ResolvedTopology;
  /** Where its Lambda handlers' `entry` paths start. */
  readonly root: string;
  readonly workers: WorkerQueues;
  /** Its outbox is relayed (its config's `outbox`). @default false */
  readonly outbox?: boolean;
}

export interface LocalSystem {
  readonly endpoint: string;
  readonly clients: AwsClients;
  /** The queues of every service at the endpoint (one topology holding them all). */
  readonly directory: QueueDirectory;
  readonly cloudwatch: CloudWatchClient;
  readonly console?: ConsoleServer;
  /** Topic ARNs by topic id, of every service, where this run provisioned them. */
  readonly topicArns: ReadonlyMap<string, string>;
  /** What receives each queue's messages here; the console pauses and resumes them. */
  readonly consumers: LocalConsumers;
  /** The schedules of messages published or sent for later, which this system delivers when due. */
  readonly schedules: LocalMessageScheduler;
  /** Where each message went, hop by hop: the console's journey view. */
  readonly journeys: MessageJourneys;
  /** Messages handled per second per queue, over the last sample's step. */
  rates(): Record<string, number>;
  /** Stops receiving, lets running handlers finish and settle, then stops the console, and the emulator last. */
  stop(): Promise<void>;
}

/**
 * The whole system on one machine: the emulator (or another endpoint) with
 * the topology provisioned, every Lambda handler running in-process behind a
 * local event source, the workers as in production, and the console.
 */
export async function startLocalSystem<T extends AnyTopology>(declaration: T, options: LocalSystemOptions<T>): Promise<LocalSystem> {
  const { topology } = options;
  if (topology.app !== declaration.app) throw new TypeError(`startLocalSystem: the resolved topology is app '${topology.app}', the declaration '${declaration.app}'; resolve this declaration`);
  const services = publishersFirst<LocalService>([
    {
      declaration,
      topology,
      root: options.projectRoot,
      workers: options.workers as WorkerQueues,
      ...(options.outbox && { outbox: true }),
    },
    ...(options.with ?? []),
  ]);
  const queues = services.flatMap((service) => service.topology.queues);
  const repeated = queues.find((queue, index) => queues.findIndex((other) => other.id === queue.id) !== index);
  if (repeated) throw new TypeError(`startLocalSystem: more than one service has a queue '${repeated.id}'; the console and the live view name queues by it`);
  let endpoint: string;
  const provisioned = new Map<ResolvedTopology, { provisioned: ProvisionedTopology; jobLockTable?: string }>();
  let stopEmulator = async () => undefined as void;
  if (options.endpoint) {
    endpoint = options.endpoint;
  } else {
    // The emulator comes up with the first service (a publisher) provisioned; the others follow below.
    const local = await startLocalEnvironment(services[0]!.topology, { logger: options.logger, uniqueJobs: usesUniqueJobs(services[0]!.workers) });
    endpoint = local.endpoint;
    provisioned.set(services[0]!.topology, { provisioned: local.provisioned, ...(local.jobLockTable && { jobLockTable: local.jobLockTable }) });
    stopEmulator = local.stop;
  }
  // Requests time out shortly after the longest long poll here (the workers'), so a stalled endpoint cannot hold up stop().
  const clientOptions = endpointClientOptions({ endpoint });
  const clients = createAwsClients({ ...clientOptions, longPollSeconds: WORKER_WAIT_SECONDS });
  // The emulators fire no schedules: every Publisher of this process schedules on the local system's clock.
  const schedules = new LocalMessageScheduler({ sns: clients.sns, sqs: clients.sqs, onError: (name, error) => options.logger.warn('a scheduled message could not be delivered; trying again', { schedule: name, error }) });
  const unsetScheduler = setProcessScheduler(schedules);
  const stopSchedules = () => {
    schedules.stop();
    unsetScheduler();
  };
  const dynamodb = new DynamoDBClient(awsClientConfig(clientOptions));
  const journeys = new MessageJourneys(queues);
  const stopJourneys = addProcessHooks({ after: journeys.record });
  const runners: LocalRunner[] = [];
  try {
    const provision = !options.endpoint || (options.provision ?? true);
    for (const service of services) {
      if (!provision || provisioned.has(service.topology)) continue;
      const { jobLockTable } = await provisionTablesWhereServed(service.topology, dynamodb, () => {
        setProcessIdempotencyStore(new InMemoryIdempotencyStore());
        warnNoDynamoDb(options.logger, service.topology, usesUniqueJobs(service.workers));
      });
      provisioned.set(service.topology, { provisioned: await provisionTopology(service.topology, clients), ...(jobLockTable && { jobLockTable }) });
    }
    const payloadBuckets = new Map<ResolvedTopology, string>();
    for (const service of provision ? services : []) {
      const bucket = await provisionPayloadBucketWhereServed(service.topology, localS3Client(clientOptions), () =>
        options.logger.warn("the emulator has no S3 (moto is not installed): a message over its destination's limit is refused, not sent through the payload bucket", { app: service.topology.app }),
      );
      if (bucket) payloadBuckets.set(service.topology, bucket);
    }
    // The Lambda handler modules read their stage and clients' settings from the environment when they load,
    // as in Lambda, where MessagingStack sets them: the one place the stage travels through process.env.
    exportEndpointEnvironment(endpoint);
    process.env[DEPLOYED_ENVIRONMENT.stage] = topology.stage;
    for (const service of services) {
      const own = provisioned.get(service.topology);
      const outboxTable = service.outbox ? await outboxTableOf(service.topology, provision, dynamodb, options.logger) : undefined;
      runners.push(
        await startLocalRunner({
          declaration: service.declaration,
          topology: service.topology,
          provisioned: own?.provisioned ?? { topicArns: new Map(), queues: await addressesOf(service.topology, new QueueDirectory(service.topology, clients.sqs, endpoint)) },
          root: service.root,
          workers: service.workers,
          ...(own?.jobLockTable && { jobLockTable: own.jobLockTable }),
          ...(payloadBuckets.has(service.topology) && { payloadBucket: payloadBuckets.get(service.topology)! }),
          ...(outboxTable && { outboxTable }),
          clients,
          dynamodb,
          waitSeconds: { lambda: LAMBDA_WAIT_SECONDS, worker: WORKER_WAIT_SECONDS },
          // Lambda runs up to maxConcurrency batches at once; two pollers show the same on one laptop.
          pollersPerLambda: 2,
          logger: options.logger.child({ app: service.topology.app }),
        }),
      );
    }
  } catch (error) {
    await Promise.all(runners.map((runner) => runner.stop('signal')));
    stopSchedules();
    stopJourneys();
    await stopEmulator();
    throw error;
  }
  const directory = new QueueDirectory({ ...topology, topics: services.flatMap((service) => service.topology.topics), queues }, clients.sqs, endpoint);
  const cloudwatch = new CloudWatchClient(awsClientConfig(clientOptions));
  const topicArns = new Map([...provisioned.values()].flatMap((entry) => [...entry.provisioned.topicArns]));

  const sampler = new SystemSampler({ directory, cloudwatch, endpoint, workers: () => runners.flatMap((runner) => runner.workers?.consumers ?? []) });
  const stopAll = async () => {
    await Promise.all(runners.map((runner) => runner.stop('signal')));
    sampler.stop();
    stopSchedules();
    stopJourneys();
    await consoleServer?.close();
    await stopEmulator();
  };
  const consumers = new LocalConsumers(new Map(runners.flatMap((runner) => [...runner.consumers])));
  const publishing = new LocalPublishing(services, clients);
  let consoleServer: ConsoleServer | undefined;
  try {
    consoleServer =
      options.consolePort === false
        ? undefined
        : await startConsoleServer(directory, cloudwatch, options.consolePort, sampler, [...journeyRoutes(journeys), ...consoleActionRoutes({ directory, publishing, consumers })]);
  } catch (error) {
    // What started must not keep the process alive after a failed start.
    await stopAll();
    if ((error as { code?: string }).code === 'EADDRINUSE') throw new ConsolePortInUseError(options.consolePort as number, error);
    throw error;
  }

  return {
    endpoint,
    clients,
    directory,
    cloudwatch,
    ...(consoleServer && { console: consoleServer }),
    topicArns,
    consumers,
    schedules,
    journeys,
    rates: () => sampler.rates(),
    stop: stopAll,
  };
}

/** The outbox table to relay: provisioned where DynamoDB is served, else none (with a warning); named only when provisioned by someone else. */
async function outboxTableOf(topology: ResolvedTopology, provision: boolean, dynamodb: DynamoDBClient, logger: Logger): Promise<string | undefined> {
  if (!provision) return outboxTableName(topology.prefix);
  return provisionOutboxTableWhereServed(topology, dynamodb, () =>
    logger.warn('the emulator has no DynamoDB (moto is not installed): the outbox is not relayed; POSTBOX_EMULATOR=moto, or moto installed beside fauxqs, gives the outbox table', { app: topology.app }),
  );
}

/** The addresses of a topology's queues provisioned by someone else (an endpoint given, provision false). */
async function addressesOf(topology: ResolvedTopology, directory: QueueDirectory): Promise<Map<string, ProvisionedQueue>> {
  const queues = new Map<string, ProvisionedQueue>();
  for (const queue of topology.queues) {
    if (queue.handler.kind !== 'lambda') continue;
    const { url, arn, deadLetterUrl, deadLetterArn } = await directory.address(queue.id);
    queues.set(queue.id, { url, arn, deadLetterUrl, deadLetterArn });
  }
  return queues;
}
