import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadProjectConfig, loadWorkers, serviceConfigFile } from '../config/load-project-config.ts';
import type { AnyTopology, CommandType, EventType, MessageInput, ReplyData, RequestType } from '../messages/message-types.ts';
import { awsClientConfig } from '../aws/aws-client-config.ts';
import { createAwsClients, type AwsClients } from '../aws/aws-clients.ts';
import { addProcessHooks } from '../runtime/consuming/message-hooks.ts';
import { createLogger } from '../runtime/observability/logger.ts';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { DynamoDbOutboxStore } from '../runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { Outbox } from '../runtime/publishing/outbox/outbox.ts';
import type { OutboxRecord } from '../runtime/publishing/outbox/outbox-record.ts';
import { Publisher, type OutboxEntry, type PublishedMessage, type PublishOptions, type SendOptions } from '../runtime/publishing/publisher.ts';
import type { MessageTypeName } from '../messages/message-types.ts';
import { checkContracts } from '../topology/contract-checks.ts';
import { resolveTopology, type ResolvedTopology } from '../topology/resolve-topology.ts';
import { startLocalRunner } from './local-runner.ts';
import { publishersFirst } from './publishers-first.ts';
import { Requester, type RequestOptions } from '../runtime/publishing/request-reply/requester.ts';
import { LocalMessageScheduler } from './local-message-scheduler.ts';
import { setProcessScheduler } from '../runtime/publishing/scheduling/message-scheduler.ts';
import { MessageOutcomeLog, type MessageOutcome, type WaitForOptions } from './message-outcome-log.ts';
import { InMemoryIdempotencyStore } from '../runtime/consuming/idempotency/in-memory-idempotency-store.ts';
import { setProcessIdempotencyStore } from '../runtime/consuming/idempotency/process-idempotency-store.ts';
import { localS3Client } from './local-environment.ts';
import { provisionTopology } from './provisioner.ts';
import { provisionIdempotencyTable, provisionJobLockTable, provisionOutboxTable, provisionPayloadBucket } from './store-provisioner.ts';
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
  /**
   * Other services to run beside this one under the same stage, by directory or config file: the publishers whose
   * topics it subscribes to, the subscribers of its own. Publishers are provisioned first; `waitFor` follows a
   * message to the queues of every service. Queue names must not repeat across the services.
   * @default none
   */
  readonly with?: readonly string[];
}

/** A service running in-process: its topology provisioned under a stage of its own, its Lambda handlers and workers consuming. */
export interface TestSystem<T extends AnyTopology = AnyTopology> extends AsyncDisposable {
  readonly stage: string;
  readonly endpoint: string;
  /** The service's topology, resolved at the stage. */
  readonly topology: ResolvedTopology;
  /** Every service running, this one and those `with` names, publishers first. */
  readonly services: readonly ResolvedTopology[];
  readonly clients: AwsClients;
  /**
   * Publishes an event, as `Publisher.publish` does (source `postbox-testing`); an event of another service's topic
   * (an external topic) goes to that topic, standing in for its publisher.
   */
  publish<K extends EventType<T>>(type: K, data: MessageInput<T, K>, options?: PublishOptions): Promise<PublishedMessage>;
  /** Sends a command, as `Publisher.send` does. */
  send<K extends CommandType<T>>(type: K, data: MessageInput<T, K>, options?: SendOptions): Promise<PublishedMessage>;
  /**
   * Writes `items` and `messages` in one transaction, as `Outbox.transactWrite` does, to the service's outbox table,
   * which the system relays (`outbox: true` in its config; the emulator must serve DynamoDB). `waitFor` follows the
   * messages by the ids of the records returned.
   */
  transactWrite<K extends MessageTypeName<T>>(items: readonly TransactWriteItem[], messages: ReadonlyArray<OutboxEntry<T, K>>): Promise<OutboxRecord[]>;
  /**
   * Resolves once the message (its envelope id; a plain message's SQS id) was handled or dead-lettered on every
   * queue the topology routes its type to, or on `queue`; a retry is no end. Rejects with a `WaitTimeoutError`
   * naming the queues still waiting and what they did so far.
   */
  waitFor(id: string, options?: WaitForOptions): Promise<MessageOutcome[]>;
  /**
   * The schedules of messages published or sent for later (`at`, or a delay past 15 minutes), by this system's
   * publisher and by every Publisher of this process: `advance(seconds)` moves their clock ahead and delivers what
   * is due, `pending()` lists what waits.
   */
  readonly schedules: Pick<LocalMessageScheduler, 'advance' | 'pending' | 'now'>;
  /**
   * Sends a command that declares a `reply` and resolves with its handler's reply, as `Requester.request` does (the
   * test system's requester, with a reply queue of its own, made on the first request).
   */
  request<K extends RequestType<T>>(type: K, data: MessageInput<T, K>, options?: RequestOptions): Promise<ReplyData<T, K>>;
  /** Cancels a message scheduled for later, as `Publisher.cancelScheduled` does: false when none was waiting. */
  cancelScheduled(id: string): Promise<boolean>;
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
 *
 * @example
 * import { afterAll, beforeAll, expect, it } from 'vitest';
 * import { startTestSystem, type TestSystem } from 'postbox/testing';
 * import type { shopTopology } from '../src/shop-topology.ts';
 *
 * let system: TestSystem<typeof shopTopology>;
 * beforeAll(async () => (system = await startTestSystem()));
 * afterAll(() => system.stop());
 *
 * it('notifies the customer of an order', async () => {
 *   const { id } = await system.publish('order.placed', { orderId: 'o-1' });
 *   expect(await system.waitFor(id)).toMatchObject([{ queue: 'notifications', status: 'handled' }]);
 * });
 */
export function startTestSystem<T extends AnyTopology = AnyTopology>(options: TestSystemOptions = {}): Promise<TestSystem<T>> {
  const started = starting.then(() => start<T>(options));
  starting = started.catch(() => undefined);
  return started;
}

async function start<T extends AnyTopology>(options: TestSystemOptions): Promise<TestSystem<T>> {
  const project = await loadProjectConfig({ ...(options.config && { file: options.config }) });
  const others = await Promise.all((options.with ?? []).map((other) => loadProjectConfig({ file: serviceConfigFile(other) })));
  const stage = options.stage ?? `t${randomBytes(4).toString('hex')}`;
  const services = publishersFirst([project, ...others].map((config) => ({ project: config, topology: resolveTopology(config.topology, { stage }) })));
  const topology = services.find((service) => service.project === project)!.topology;
  const queues = services.flatMap((service) => service.topology.queues);
  const repeated = queues.find((queue, index) => queues.findIndex((other) => other.id === queue.id) !== index);
  if (repeated) {
    throw new TestSystemError(`Cannot run ${services.map((service) => `'${service.topology.app}'`).join(' and ')} in one test system: more than one has a queue '${repeated.id}', and waitFor names queues by it.`);
  }
  // What synthesis checks against the publishers' contracts (but the stage, which is the test's own): a subscriber
  // that disagrees with its publisher (FIFO, a topic or event it does not have) would otherwise wait for nothing.
  for (const service of services) {
    const { problems } = checkContracts(service.project.topology, service.topology, { ignoreStages: true });
    if (problems.length > 0) throw new TestSystemError(`Cannot start ${service.topology.app}: it does not match its publishers' contracts: ${problems.join('; ')}`);
  }
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
    const clients = createAwsClients({ endpoint, longPollSeconds: WAIT_SECONDS });
    // Every Publisher of this process schedules on this system's clock, as it would on EventBridge Scheduler.
    const schedules = new LocalMessageScheduler({ sns: clients.sns, sqs: clients.sqs });
    const unsetScheduler = setProcessScheduler(schedules);
    stops.push(async () => {
      schedules.stop();
      unsetScheduler();
    });
    const dynamodb = new DynamoDBClient(awsClientConfig({ endpoint }));
    const s3 = localS3Client({ endpoint });
    let payloadBucket: string | undefined;
    // One log over every service's queues: a message is followed from its publisher to each subscriber.
    const log = new MessageOutcomeLog({ ...topology, queues });
    const unsubscribe = addProcessHooks({ after: log.record });
    stops.push(async () => unsubscribe());
    const routes: Record<string, string> = {};
    let outboxTable: string | undefined;
    for (const service of services) {
      const provisioned = await provisionTopology(service.topology, clients);
      if (service.topology === topology) Object.assign(routes, Object.fromEntries(provisioned.topicArns));
      // Without DynamoDB (fauxqs when moto is not installed) unique jobs are locked, and idempotency records kept, within this process.
      const jobLockTable = emulator.dynamodb ? await provisionJobLockTable(service.topology, dynamodb) : undefined;
      if (emulator.dynamodb) await provisionIdempotencyTable(service.topology, dynamodb);
      else {
        setProcessIdempotencyStore(new InMemoryIdempotencyStore());
        const idempotent = service.topology.queues.filter((queue) => queue.idempotency).map((queue) => queue.id);
        if (idempotent.length > 0) {
          createLogger({ app: service.topology.app, stage }).warn(
            'the emulator has no DynamoDB (moto is not installed): idempotency records are kept in this process, and writeWithRecord fails; npm run emulator:install gives the table',
            { queues: idempotent },
          );
        }
      }
      // S3 is served where DynamoDB is (moto behind fauxqs, or alone): there large payloads go through their bucket.
      const ownBucket = emulator.dynamodb ? await provisionPayloadBucket(service.topology, s3) : undefined;
      if (service.topology === topology) payloadBucket = ownBucket;
      if (service.project.outbox && !emulator.dynamodb) {
        throw new TestSystemError(`Cannot start ${service.topology.app} with its outbox: the emulator serves no DynamoDB; install moto (npm run emulator:install), or run with POSTBOX_EMULATOR=moto.`);
      }
      const ownOutbox = service.project.outbox ? await provisionOutboxTable(service.topology, dynamodb) : undefined;
      if (service.topology === topology) outboxTable = ownOutbox;
      // Loaded for this stage, with POSTBOX_STAGE set: a Publisher the workers module makes publishes to this system.
      const workers = await loadWorkers(service.project, stage);
      const runner = await startLocalRunner({
        declaration: service.project.topology,
        topology: service.topology,
        provisioned,
        root: service.project.root,
        workers: workers?.queues ?? {},
        ...(jobLockTable && { jobLockTable }),
        ...(ownBucket && { payloadBucket: ownBucket }),
        ...(ownOutbox && { outboxTable: ownOutbox }),
        clients,
        dynamodb,
        waitSeconds: { lambda: WAIT_SECONDS, worker: WAIT_SECONDS },
        logger: createLogger({ app: service.topology.app, stage }),
      });
      stops.push(() => runner.stop());
    }
    // The external topics' ARNs at the emulator (the publisher's topic, or a stand-in) are where it stands in.
    const publisher = new Publisher<AnyTopology>(project.topology, {
      stage,
      source: 'postbox-testing',
      sns: clients.sns,
      sqs: clients.sqs,
      standInForPublishers: true,
      routes: { topicArns: routes },
      ...(payloadBucket && { payloadBucket, s3 }),
    });
    const outbox = outboxTable === undefined ? undefined : new Outbox(publisher, new DynamoDbOutboxStore({ tableName: outboxTable, dynamodb }));
    let requester: Promise<Requester<AnyTopology>> | undefined;
    const startedRequester = () =>
      (requester ??= (async () => {
        const made = new Requester<AnyTopology>(project.topology, { stage, source: 'postbox-testing', sns: clients.sns, sqs: clients.sqs, waitTimeSeconds: WAIT_SECONDS, logger: createLogger({ app: topology.app, stage }) });
        await made.start();
        stops.push(() => made.stop());
        return made;
      })());
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= stopAll());
    return {
      stage,
      endpoint,
      topology,
      services: services.map((service) => service.topology),
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
      transactWrite: async (items, messages) => {
        if (!outbox) throw new TestSystemError(`${topology.app} has no outbox: set outbox: true in its config.`);
        const records = await outbox.transactWrite(items, messages);
        for (const record of records) log.published(record.id, record.type);
        return records;
      },
      waitFor: (id, waitOptions) => log.waitFor(id, waitOptions),
      schedules,
      request: async (type, data, requestOptions) => (await startedRequester()).request(type as never, data as never, requestOptions) as never,
      cancelScheduled: (id) => publisher.cancelScheduled(id),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
