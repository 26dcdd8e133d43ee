import * as z from 'zod/mini';
import { declarationObject, type OtherShapes } from './declaration-object.ts';
import { CONFIG_KEYS } from './config-keys.ts';
import { en } from 'zod/v4/locales';
import { buildHttpHandlerSchema, type HttpHandler } from './http-handler-declaration.ts';
import { idempotencySchema } from './idempotency-declaration.ts';
import type { ServiceContract } from './service-contract.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_RETENTION_SECONDS, MAX_QUEUE_MESSAGE_BYTES, MAX_RETENTION_SECONDS } from '../messages/wire-contract.ts';

/**
 * The schemas a topology declaration is validated and normalized with, and the
 * types they give. Leaf settings are zod schemas so that their defaults sit next
 * to their types; the structure that ties names together is typed by hand in
 * topology-declaration.ts so the compiler can check that a subscriber only names
 * events that exist. They use zod/mini, whose functions a bundler keeps only
 * when used: every Lambda handler bundles this file (see `npm run bench`).
 */

// zod/mini leaves its messages to a locale, and Postbox's errors quote them.
z.config(en());

/** SQS allows at most 12 hours of visibility, and ChangeMessageVisibility the same. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/** Lower-case letters, digits and hyphens: safe in every AWS resource name Postbox makes. */
export const resourceNamePattern = /^[a-z][a-z0-9-]*$/;

/**
 * A schema built on its first use rather than at import: a Lambda handler's cold start then builds only those its
 * own queue's declaration needs, not every schema of the topology (about 4 ms of init; see `npm run bench`).
 */
function lazy<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

const integer = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
const seconds = (max: number) => integer(0, max);

/** Exponential backoff between attempts of a message that failed with a retryable error. */
export const backoffSchema = lazy(() =>
  declarationObject({
    /** Delay before the first retry, in seconds; doubles with each attempt. */
    baseSeconds: z._default(seconds(MAX_VISIBILITY_TIMEOUT_SECONDS), TOPOLOGY_DEFAULTS.queue.backoff.baseSeconds),
    /** Upper bound of any single delay, in seconds. */
    capSeconds: z._default(seconds(MAX_VISIBILITY_TIMEOUT_SECONDS), TOPOLOGY_DEFAULTS.queue.backoff.capSeconds),
  }),
);

/** Settings of the main queue of a subscriber or command handler, and of its dead-letter queue. */
export const queueSettingsSchema = lazy(() =>
  declarationObject({
    /** Receives before SQS moves a message to the dead-letter queue. */
    maxReceiveCount: z._default(integer(1, 1000), TOPOLOGY_DEFAULTS.queue.maxReceiveCount),
    /**
     * Visibility timeout of the main queue, in seconds. When omitted it is
     * derived from the handler: 6 × the Lambda timeout plus the batching window
     * (as AWS advises), or the worker's task timeout.
     */
    visibilityTimeoutSeconds: z.optional(seconds(MAX_VISIBILITY_TIMEOUT_SECONDS)),
    /** How long the main queue keeps a message, in seconds (4 days). */
    retentionSeconds: z._default(integer(60, MAX_RETENTION_SECONDS), DEFAULT_RETENTION_SECONDS),
    /** Backoff of retryable failures. */
    backoff: z.prefault(backoffSchema(), {}),
    /** Largest message the queue accepts, in bytes; SQS allows up to 1 MiB. */
    maxMessageSizeBytes: z._default(integer(1024, MAX_QUEUE_MESSAGE_BYTES), DEFAULT_MAX_MESSAGE_BYTES),
    /** FIFO queue. Subscribers inherit it from their topic; setting it differently is an error. */
    fifo: z.optional(z.boolean()),
  }),
);

/** A handler that runs as an AWS Lambda function fed by an SQS event source. */
// Strict: a key of the other kind (activeTracing on a worker, concurrency on a Lambda handler) or a misspelt one is refused, not dropped.
export const lambdaHandlerSchema = lazy(() =>
  declarationObject({
    kind: z.literal('lambda'),
    /** Path of the function's entry file, relative to the project root (bundled with esbuild). */
    entry: z.string().check(z.minLength(1)),
    /** Lambda timeout in seconds. */
    timeoutSeconds: z._default(integer(1, 900), TOPOLOGY_DEFAULTS.lambda.timeoutSeconds),
    /** Lambda memory in MiB. */
    memoryMb: z._default(integer(128, 10_240), TOPOLOGY_DEFAULTS.lambda.memoryMb),
    /**
     * AWS X-Ray active tracing of the function: Lambda then continues the `AWSTraceHeader` that SQS gives a message
     * sent with X-Ray tracing on. Postbox's own trace context (`traceparent`) crosses either way.
     */
    activeTracing: z._default(z.boolean(), false),
    /** Records per invocation. Standard queues allow up to 10,000 with a batching window; FIFO up to 10. */
    batchSize: z._default(integer(1, 10_000), TOPOLOGY_DEFAULTS.lambda.batchSize),
    /** Seconds the event source may wait to fill a batch. Not supported on FIFO queues. */
    maxBatchingWindowSeconds: z._default(seconds(300), TOPOLOGY_DEFAULTS.lambda.maxBatchingWindowSeconds),
    /** Most concurrent invocations the event source starts for this queue (2 to 1000); on-demand mode only. */
    maxConcurrency: z._default(integer(2, 1000), TOPOLOGY_DEFAULTS.lambda.maxConcurrency),
    /** Provisioned mode of the event source: event pollers kept ready (2 to 200) and the most it scales to (2 to 2000). */
    provisionedPollers: z.optional(
      declarationObject({
        minimum: z._default(integer(2, 200), TOPOLOGY_DEFAULTS.lambda.provisionedPollers.minimum),
        maximum: z._default(integer(2, 2000), TOPOLOGY_DEFAULTS.lambda.provisionedPollers.maximum),
      }),
    ),
  }, handlerKindsBut('lambda')),
);

/** A handler that runs in a long-running polling worker (for tasks that do not fit in Lambda). */
export const workerHandlerSchema = lazy(() =>
  declarationObject({
    kind: z.literal('worker'),
    /** Time limit of one task in seconds; the visibility heartbeat keeps the message while it runs. */
    timeoutSeconds: z._default(integer(1, 86_400), TOPOLOGY_DEFAULTS.worker.timeoutSeconds),
    /** Messages processed at once by one worker. */
    concurrency: z._default(integer(1, 1000), TOPOLOGY_DEFAULTS.worker.concurrency),
  }, handlerKindsBut('worker')),
);

/** A handler that hands each message to a service's HTTP endpoint (http-handler-declaration.ts). */
export const httpHandlerSchema = lazy(() => buildHttpHandlerSchema(handlerKindsBut('http')));

export const handlerSchema = lazy(() =>
  z.discriminatedUnion('kind', [lambdaHandlerSchema(), workerHandlerSchema(), httpHandlerSchema()]),
);

/** Whose a handler's key is, for a key given to a handler of another kind. */
export function handlerKindsBut(kind: 'lambda' | 'worker' | 'http'): OtherShapes {
  const kinds = { lambda: ["a Lambda handler's key", lambdaHandlerSchema], worker: ["a worker handler's key", workerHandlerSchema], http: ["an http handler's key", httpHandlerSchema] } as const;
  return () => Object.entries(kinds).filter(([other]) => other !== kind).map(([, [what, schema]]) => [what, Object.keys(schema()._zod.def.shape)] as const);
}

/** Whether the handler runs in the worker process (Fargate locally or deployed): a worker's or an HTTP endpoint's. */
export const runsInWorker = (handler: Handler): handler is WorkerHandler | HttpHandler => handler.kind !== 'lambda';

/** The schema of a message's data: any zod 4 schema, made with zod or zod/mini. */
export type MessageSchema = z.core.$ZodType;

export const messageSchemaSchema = lazy(() =>
  z.custom<MessageSchema>(
    (value) => typeof (value as { _zod?: { run?: unknown } } | null)?._zod?.run === 'function',
    { message: 'expected a zod 4 schema (zod or zod/mini)' },
  ),
);

export const messageTypeSchema = lazy(() =>
  declarationObject({
    /** Schema of the message's `data`. */
    schema: messageSchemaSchema(),
    /** Version of the schema, carried in the envelope. */
    version: z._default(z.int().check(z.minimum(1)), 1),
    /** What the message means, for people. */
    description: z.optional(z.string()),
    /** Commands only: the schema of the data its handler replies with to a `Requester` (docs/request-reply.md). */
    reply: z.optional(messageSchemaSchema()),
  }),
);

/** An AWS account id (12 digits) or an AWS Organizations id (`o-` and 10 to 32 letters and digits). */
export const subscriberPrincipalPattern = /^(\d{12}|o-[a-z0-9]{10,32})$/;

export const topicSchema = lazy(() =>
  declarationObject({
    /** Event types this topic carries. Each event type is carried by exactly one topic. */
    events: z.array(z.string()).check(z.minLength(1)),
    /** FIFO topic (ordered, deduplicated); its subscribers' queues are FIFO too. */
    fifo: z._default(z.boolean(), false),
    /** FIFO topics only: SNS deduplicates by a hash of the message body when a publish carries no deduplication id. */
    contentBasedDeduplication: z._default(z.boolean(), false),
    /** FIFO topics only: SNS's `FifoThroughputScope`; `MessageGroup` cannot be changed back to `Topic`. */
    fifoThroughputScope: z.optional(z.enum(['Topic', 'MessageGroup'])),
    /** Largest message the topic accepts, in bytes (SNS's `MaximumMessageSize`): 256 KiB, or up to 1 MiB for SQS and Lambda subscribers. */
    maxMessageSizeBytes: z._default(integer(1024, MAX_QUEUE_MESSAGE_BYTES), DEFAULT_MAX_MESSAGE_BYTES),
    /** Accounts and organizations whose SQS queues may subscribe from another account. */
    allowSubscribers: z._default(z.array(z.string().check(z.regex(subscriberPrincipalPattern, 'expected a 12-digit AWS account id or an organization id (o-...)'))), []),
  }),
);

/** An SNS topic's ARN: any partition, a region, an account, and a topic name (`.fifo` at the end of a FIFO topic's). */
const topicArnPattern = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,251}(\.fifo)?$/;

/** Another service's topic that this service subscribes to: by its service and topic names, or by ARN. */
export const externalTopicSchema = lazy(() =>
  declarationObject({
    /** The publishing service's app name (same account and region as this service). */
    service: z.optional(z.string().check(z.regex(resourceNamePattern, 'use the publishing service\'s app name'))),
    /** The topic's name in the publishing service's topology. */
    topic: z.optional(z.string().check(z.regex(resourceNamePattern, 'use the topic\'s name in the publishing service\'s topology'))),
    /** The topic's ARN, for a topic in another account or region. */
    arn: z.optional(z.string().check(z.regex(topicArnPattern, 'expected an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)'))),
    /** The publisher's stage whose topic this service subscribes to (service and topic form). */
    stage: z.optional(z.string().check(z.regex(resourceNamePattern, 'use lower-case letters, digits and hyphens, starting with a letter'))),
    /** A FIFO topic; its subscribers' queues are FIFO too. */
    fifo: z.optional(z.boolean()),
    /** The event types it carries that this service consumes; each is declared under `events` with its schema. */
    events: z.array(z.string()).check(z.minLength(1)),
    /** The publishing service's contract (`contractOf(topology)`), which synthesis checks this declaration against. */
    contract: z.optional(z.custom<ServiceContract<any>>((value) => typeof value === 'object' && value !== null && 'service' in value && 'topics' in value, { message: 'expected a contract made by contractOf' })),
  }),
);

export const subscriberSchema = lazy(() =>
  declarationObject({
    /** Topic the subscriber listens to. */
    topic: z.string(),
    /** Event types it wants; the subscription's filter policy lets only these through. */
    events: z.array(z.string()).check(z.minLength(1)),
    handler: handlerSchema(),
    queue: z.prefault(queueSettingsSchema(), {}),
    idempotency: z.optional(idempotencySchema),
    /**
     * The nested stack this handler's resources go to when the MessagingStack splits into groups (`stackGroups`).
     * @default a stable hash bucket of its name
     */
    stackGroup: z.optional(z.string().check(z.regex(resourceNamePattern, 'use lower-case letters, digits and hyphens, starting with a letter'))),
  }),
);

export const commandHandlerSchema = lazy(() =>
  declarationObject({
    handler: handlerSchema(),
    queue: z.prefault(queueSettingsSchema(), {}),
    idempotency: z.optional(idempotencySchema),
    /**
     * The nested stack this handler's resources go to when the MessagingStack splits into groups (`stackGroups`).
     * @default a stable hash bucket of its name
     */
    stackGroup: z.optional(z.string().check(z.regex(resourceNamePattern, 'use lower-case letters, digits and hyphens, starting with a letter'))),
  }),
);

/** Message types such as `order.placed`: lower-case words joined by dots, hyphens or underscores. */
export const messageTypeNamePattern = /^[a-z][a-z0-9]*([._-][a-z0-9]+)*$/;

export const topologySchema = lazy(() =>
  declarationObject({
    /** Application name, the first part of every resource name. */
    app: z.string().check(z.regex(resourceNamePattern, 'use lower-case letters, digits and hyphens, starting with a letter')),
    events: z.record(z.string(), messageTypeSchema()),
    commands: z._default(z.record(z.string(), messageTypeSchema()), {}),
    topics: z._default(z.record(z.string(), topicSchema()), {}),
    externalTopics: z._default(z.record(z.string(), externalTopicSchema()), {}),
    subscribers: z._default(z.record(z.string(), subscriberSchema()), {}),
    /** One handler, and so one queue, per command type (point to point), keyed by the command type. */
    commandHandlers: z._default(z.record(z.string(), commandHandlerSchema()), {}),
  }, () => [['a key of postbox.config.ts', CONFIG_KEYS]]),
);

export type BackoffSettings = z.output<ReturnType<typeof backoffSchema>>;
export type QueueSettings = z.output<ReturnType<typeof queueSettingsSchema>>;
export type QueueSettingsInput = z.input<ReturnType<typeof queueSettingsSchema>>;
export type LambdaHandler = z.output<ReturnType<typeof lambdaHandlerSchema>>;
export type WorkerHandler = z.output<ReturnType<typeof workerHandlerSchema>>;
export type { HttpHandler } from './http-handler-declaration.ts';
export type Handler = z.output<ReturnType<typeof handlerSchema>>;
export type HandlerInput = z.input<ReturnType<typeof handlerSchema>>;
export type MessageTypeInput = z.input<ReturnType<typeof messageTypeSchema>>;
export type MessageType = z.output<ReturnType<typeof messageTypeSchema>>;
export type NormalizedTopology = z.output<ReturnType<typeof topologySchema>>;
import { TOPOLOGY_DEFAULTS } from './topology-defaults.ts';
export type ExternalTopic = z.output<ReturnType<typeof externalTopicSchema>>;
