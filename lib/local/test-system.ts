import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadProjectConfig, loadWorkers } from '../config/load-project-config.ts';
import type { AnyTopology, CommandType, EventType, MessageInput } from '../messages/message-types.ts';
import { awsClientConfig } from '../runtime/aws-client-config.ts';
import { createAwsClients, type AwsClients } from '../runtime/aws-clients.ts';
import { workerOptionsOf } from '../runtime/consuming/polling/define-workers.ts';
import { onMessageSettled } from '../runtime/consuming/queue-runtime.ts';
import { createLogger } from '../runtime/observability/logger.ts';
import { Publisher, type PublishedMessage, type PublishOptions, type SendOptions } from '../runtime/publishing/publisher.ts';
import { resolveTopology, type ResolvedTopology } from '../topology/resolve-topology.ts';
import { startLocalRunner } from './local-runner.ts';
import { MessageOutcomeLog, type MessageOutcome, type WaitForOptions } from './message-outcome-log.ts';
import { provisionJobLockTable, provisionTopology } from './provisioner.ts';
import { useSharedEmulator } from './shared-emulator.ts';
import { TestSystemError } from './test-system-errors.ts';
import { leaseTestEnvironment } from './test-environment.ts';

/** Long-poll wait of the test system's event sources and workers: short, so a test's messages are picked up at once and stop() is quick. */
const WAIT_SECONDS = 1;

export interface TestSystemOptions {
  /** Path of the service's config. @default POSTBOX_CONFIG, else ./postbox.config.ts in process.cwd() */
  readonly config?: string;
  /** Stage to provision and run. @default a fresh one, `t` and 8 hex digits, so tests never see each other's messages */
  readonly stage?: string;
  /**
   * An emulator's endpoint (LocalStack, one you started). Every system running in one process must use the same.
   * @default the embedded emulator: one per process, started on first use, stopped when the last system stops
   */
  readonly endpoint?: string;
}

/** A service running in-process: its topology provisioned under a stage of its own, its Lambda handlers and workers consuming. */
export interface TestSystem<T extends AnyTopology = AnyTopology> extends AsyncDisposable {
  readonly stage: string;
  readonly endpoint: string;
  readonly topology: ResolvedTopology;
  readonly clients: AwsClients;
  /** Publishes an event, as `Publisher.publish` does (source `postbox-testing`). */
  publish<K extends EventType<T>>(type: K, data: MessageInput<T, K>, options?: PublishOptions): Promise<PublishedMessage>;
  /** Sends a command, as `Publisher.send` does. */
  send<K extends CommandType<T>>(type: K, data: MessageInput<T, K>, options?: SendOptions): Promise<PublishedMessage>;
  /**
   * Resolves once the message (its envelope id; a plain message's SQS id) was handled or dead-lettered on every
   * queue the topology routes its type to, or on `queue`; a retry is no end. Rejects with a `WaitTimeoutError`
   * naming the queues still waiting and what they did so far.
   */
  waitFor(id: string, options?: WaitForOptions): Promise<MessageOutcome[]>;
  /** Stops receiving, lets running handlers settle, and lets go of the emulator. */
  stop(): Promise<void>;
}

/** Systems start one at a time: a Lambda handler module reads its stage and queue from the environment as it loads. */
let starting: Promise<unknown> = Promise.resolve();
/** The endpoint of the systems running in this process: their Lambda handlers' clients read it from AWS_ENDPOINT_URL. */
let sharedEndpoint: { endpoint: string; systems: number } | undefined;

/**
 * Starts a service for its integration tests: the embedded emulator (or `endpoint`) with the config's topology
 * provisioned under a fresh stage, its Lambda handlers (the topology's `entry` files) behind local event sources,
 * and its workers (the config's `workers` module), all in this process.
 */
export function startTestSystem<T extends AnyTopology = AnyTopology>(options: TestSystemOptions = {}): Promise<TestSystem<T>> {
  const started = starting.then(() => start<T>(options));
  starting = started.catch(() => undefined);
  return started;
}

async function start<T extends AnyTopology>(options: TestSystemOptions): Promise<TestSystem<T>> {
  const project = await loadProjectConfig({ ...(options.config && { file: options.config }) });
  const stage = options.stage ?? `t${randomBytes(4).toString('hex')}`;
  const topology = resolveTopology(project.topology, { stage });
  if (options.endpoint && sharedEndpoint && sharedEndpoint.endpoint !== options.endpoint) {
    throw new TestSystemError(
      `Cannot start a test system at ${options.endpoint}: a test system of this process runs at ${sharedEndpoint.endpoint}, and the Lambda handlers of one process share one endpoint; ` +
        'stop it first, or leave out endpoint.',
    );
  }
  const emulator = options.endpoint ? { endpoint: options.endpoint, dynamodb: true, release: async () => undefined } : await useSharedEmulator();
  const { endpoint } = emulator;
  sharedEndpoint = { endpoint, systems: (sharedEndpoint?.systems ?? 0) + 1 };
  const releaseEnvironment = leaseTestEnvironment(endpoint, stage);
  const logger = createLogger({ service: 'postbox-testing', app: topology.app, stage });

  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
    stops.length = 0;
  };
  stops.push(async () => {
    await emulator.release();
    releaseEnvironment();
    if (sharedEndpoint && --sharedEndpoint.systems === 0) sharedEndpoint = undefined;
  });
  try {
    // Loaded for this stage, with POSTBOX_STAGE set: a Publisher the workers module makes publishes to this system.
    const workers = await loadWorkers(project, stage);
    const clients = createAwsClients({ endpoint, longPollSeconds: WAIT_SECONDS });
    const dynamodb = new DynamoDBClient(awsClientConfig({ endpoint }));
    const provisioned = await provisionTopology(topology, clients);
    // Without DynamoDB (fauxqs when moto is not installed) unique jobs are locked within this process.
    const jobLockTable = emulator.dynamodb ? await provisionJobLockTable(topology, dynamodb) : undefined;
    const log = new MessageOutcomeLog(topology);
    const unsubscribe = onMessageSettled(log.record);
    stops.push(async () => unsubscribe());

    const runner = await startLocalRunner({
      declaration: project.topology,
      topology,
      provisioned,
      root: project.root,
      workers: workerOptionsOf(workers),
      ...(jobLockTable && { jobLockTable }),
      clients,
      dynamodb,
      waitSeconds: { lambda: WAIT_SECONDS, worker: WAIT_SECONDS },
      logger,
    });
    stops.push(() => runner.stop());
    const publisher = new Publisher<AnyTopology>(project.topology, { stage, source: 'postbox-testing', sns: clients.sns, sqs: clients.sqs });
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= stopAll());
    return {
      stage,
      endpoint,
      topology,
      clients,
      publish: async (type, data, publishOptions) => {
        const published = await publisher.publish(type, data, publishOptions);
        log.published(published.id, type);
        return published;
      },
      send: async (type, data, sendOptions) => {
        const sent = await publisher.send(type, data, sendOptions);
        log.published(sent.id, type);
        return sent;
      },
      waitFor: (id, waitOptions) => log.waitFor(id, waitOptions),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
