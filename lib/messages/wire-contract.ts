/**
 * The wire contract: the names and limits that the CDK stack, the runtime, the
 * local system and a producer outside Postbox must agree on, spelled once.
 * Pure: imports nothing.
 */

/** The SNS/SQS message attribute that carries a message's type; filter policies match on it. */
export const MESSAGE_TYPE_ATTRIBUTE = 'type';
/** The message attribute that says whether a message is an `event` or a `command`. */
export const MESSAGE_KIND_ATTRIBUTE = 'kind';

/**
 * The message attributes of a message's W3C trace context, named as W3C and OpenTelemetry's SQS/SNS propagation name
 * them, so a producer instrumented with OpenTelemetry continues the same trace. `tracestate` only when the trace has one.
 */
export const TRACE_ATTRIBUTES = { traceparent: 'traceparent', tracestate: 'tracestate' } as const;

/**
 * The most message attributes Postbox sets on a message it sends: `type`, `kind`, `traceparent`, `tracestate`, and
 * `ExtendedPayloadSize` on a pointer to a payload in S3. Of SNS's and SQS's 10, the rest are the producer's.
 */
export const POSTBOX_MESSAGE_ATTRIBUTES = 5;

/** Every attribute Postbox owns starts with this; a producer's never should. */
export const POSTBOX_ATTRIBUTE_PREFIX = 'postbox.';

/** The failure record's attribute of each field on a dead-lettered copy, and `record` for the whole record as JSON. */
export const FAILURE_ATTRIBUTES = {
  errorCode: 'postbox.errorCode',
  errorMessage: 'postbox.errorMessage',
  handler: 'postbox.handler',
  attempt: 'postbox.attempt',
  failedAt: 'postbox.failedAt',
  sourceMessageId: 'postbox.sourceMessageId',
  record: 'postbox.failure',
} as const;

/**
 * The environment variables MessagingStack sets on its Lambda consumers and worker
 * tasks, all of them read by the runtime.
 */
export const DEPLOYED_ENVIRONMENT = {
  /** Stage the topology is resolved for (consumers, workers, Publisher). */
  stage: 'POSTBOX_STAGE',
  /** The stack's account: the Publisher makes topic ARNs and queue URLs with it. */
  accountId: 'POSTBOX_ACCOUNT_ID',
  /** URL of the Lambda consumer's queue, so that it need not look it up. */
  queueUrl: 'POSTBOX_QUEUE_URL',
  /** URL of the Lambda consumer's dead-letter queue. */
  deadLetterQueueUrl: 'POSTBOX_DEAD_LETTER_QUEUE_URL',
  /** The Lambda consumer's queue as synthesis resolved it, with a hash of its declaration (deployed-queue.ts). */
  resolvedQueue: 'POSTBOX_RESOLVED_QUEUE',
  /** The job lock table of the worker tasks (unique jobs). */
  jobLockTable: 'POSTBOX_JOB_LOCK_TABLE',
  /** The idempotency table of the consumers whose queues declare `idempotency`. */
  idempotencyTable: 'POSTBOX_IDEMPOTENCY_TABLE',
  /** The bucket a Publisher stores payloads over their destination's limit in (claim check). */
  payloadBucket: 'POSTBOX_PAYLOAD_BUCKET',
  /** The outbox table whose stream the outbox relay reads. */
  outboxTable: 'POSTBOX_OUTBOX_TABLE',
  /** The EventBridge Scheduler group a Publisher schedules later messages in (MessagingStack `schedules`). */
  scheduleGroup: 'POSTBOX_SCHEDULE_GROUP',
  /** The role EventBridge Scheduler delivers scheduled messages with. */
  schedulerRoleArn: 'POSTBOX_SCHEDULER_ROLE_ARN',
  /** The queue of the scheduled messages EventBridge Scheduler could not deliver. */
  schedulerDeadLetterArn: 'POSTBOX_SCHEDULER_DLQ_ARN',
} as const;

/** The environment variables a person (or `postbox dev`) sets; Postbox reads them. */
export const USER_ENVIRONMENT = {
  /** Path of the project config. */
  config: 'POSTBOX_CONFIG',
  /** Topology module, instead of the config's. */
  topology: 'POSTBOX_TOPOLOGY',
  /** Lowest log level written: debug, info, warn, error. */
  logLevel: 'POSTBOX_LOG_LEVEL',
  /** File that log and metric lines go to instead of stdout. */
  logFile: 'POSTBOX_LOG_FILE',
  /** `off`: no CloudWatch embedded-metric lines (tests, local runs). */
  metrics: 'POSTBOX_METRICS',
  /** The embedded emulator: fauxqs or moto. */
  emulator: 'POSTBOX_EMULATOR',
  /** Hosts, comma-separated, that are emulators though not loopback (LocalStack at http://localstack:4566). */
  emulatorHosts: 'POSTBOX_EMULATOR_HOSTS',
} as const;

/** The key prefix of every payload in the payload bucket; the bucket's grants are limited to it. */
export const PAYLOAD_KEY_PREFIX = 'payloads';

/** SNS's and SQS's default (and SNS's largest) message size: 256 KiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 262_144;
/** SQS's largest message: 1 MiB. */
export const MAX_QUEUE_MESSAGE_BYTES = 1_048_576;
/**
 * The size of every dead-letter queue, SQS's largest: above any main queue's,
 * so the copy of a message, which adds the failure record's attributes, fits.
 */
export const DEAD_LETTER_MAX_MESSAGE_BYTES = MAX_QUEUE_MESSAGE_BYTES;
/** The longest an SQS queue keeps a message, 14 days: what dead-letter queues keep. */
export const MAX_RETENTION_SECONDS = 1_209_600;
/** How long a main queue keeps a message by default: 4 days, SQS's own default. */
export const DEFAULT_RETENTION_SECONDS = 345_600;
