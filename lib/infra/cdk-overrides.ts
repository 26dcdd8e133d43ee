import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { PostboxError } from '../postbox-error.ts';

/**
 * Props of the CDK's own constructs, merged over Postbox's defaults (the escape hatch of aws-solutions-constructs):
 * any property Postbox does not own. An owned one (names, encryption, TLS, redrive, what the topology declares) is
 * refused, never silently overwritten.
 */
export interface HandlerOverrides {
  /** Merged over the main queue's props. @default none */
  readonly queueProps?: Partial<sqs.QueueProps>;
  /** Merged over the dead-letter queue's props. @default none */
  readonly deadLetterQueueProps?: Partial<sqs.QueueProps>;
  /** Merged over a Lambda handler's function props; `environment` is added to Postbox's. @default none */
  readonly functionProps?: Partial<nodejs.NodejsFunctionProps>;
}

/** Overrides of every handler and topic of a MessagingStack, and of single handlers by their name in the topology. */
export interface MessagingOverrides extends HandlerOverrides {
  /** Merged over every topic's props. @default none */
  readonly topicProps?: Partial<sns.TopicProps>;
  /** Per subscriber or command handler, by its name; merged over the overrides above. @default none */
  readonly handlers?: Readonly<Record<string, HandlerOverrides>>;
}

/** An override names a property Postbox sets itself. */
export class OwnedPropertyError extends PostboxError {
  readonly code = 'OWNED_PROPERTY_OVERRIDDEN';
}

const byTheTopology = (setting: string) => `the topology declares it (${setting})`;
const QUEUE_OWNED = {
  queueName: 'Postbox names every queue <app>-<stage>-<name>',
  fifo: byTheTopology('its topic or queue `fifo`'),
  encryption: 'every queue is encrypted with SSE-SQS, which SNS can deliver to without a key policy',
  encryptionMasterKey: 'every queue is encrypted with SSE-SQS, which SNS can deliver to without a key policy',
  enforceSSL: 'every queue refuses plain HTTP',
  deadLetterQueue: "the redrive policy sends a message to Postbox's dead-letter queue after its last attempt",
  visibilityTimeout: byTheTopology('queue.visibilityTimeoutSeconds, else from the handler timeout'),
  retentionPeriod: byTheTopology('queue.retentionSeconds'),
  maxMessageSizeBytes: byTheTopology('queue.maxMessageSizeBytes'),
} as const;
const DEAD_LETTER_QUEUE_OWNED = {
  ...QUEUE_OWNED,
  deadLetterQueue: 'a dead-letter queue has none of its own',
  maxMessageSizeBytes: "a dead-letter queue takes SQS's largest message, so Postbox's copy with its failure record fits",
  retentionPeriod: byTheTopology('queue.deadLetterRetentionSeconds'),
  redriveAllowPolicy: 'only its main queue may use it, so the console can redrive it',
} as const;
const TOPIC_OWNED = {
  topicName: 'Postbox names every topic <app>-<stage>-<name>',
  fifo: byTheTopology('the topic `fifo`'),
  masterKey: "every topic is encrypted with the stack's topic key, which publishers are granted",
  enforceSSL: 'every topic refuses plain HTTP',
  contentBasedDeduplication: byTheTopology('the topic `contentBasedDeduplication`'),
  fifoThroughputScope: byTheTopology('the topic `fifoThroughputScope`'),
} as const;
const FUNCTION_OWNED = {
  entry: byTheTopology("the handler's `entry`"),
  handler: 'the entry exports `handler`',
  runtime: 'Postbox bundles for Node.js 24',
  architecture: 'Postbox bundles for arm64',
  timeout: byTheTopology("the handler's `timeoutSeconds`"),
  memorySize: byTheTopology("the handler's `memoryMb`"),
  tracing: byTheTopology("the handler's `activeTracing`"),
  role: 'Postbox grants the function exactly what it calls',
  logGroup: 'the function logs to its own log group, which its role alone may write to',
  bundling: 'Postbox bundles the handler with esbuild (minified ESM with source maps)',
  depsLockFilePath: "Postbox finds the project's lock file",
} as const;

/** `props` of the CDK construct with `overrides` merged over them, after refusing any property Postbox owns. */
function merged<T extends object>(what: string, props: T, overrides: Partial<T> | undefined, owned: Readonly<Record<string, string>>): T {
  if (!overrides) return props;
  const refused = Object.keys(overrides).filter((key) => key in owned);
  if (refused.length > 0) {
    throw new OwnedPropertyError(
      `${what}: ${refused.map((key) => `${key} is Postbox's (${owned[key]})`).join('; ')}; remove it from the overrides, or set it where the reason says`,
    );
  }
  return { ...props, ...overrides };
}

export const mergeQueueProps = (what: string, props: sqs.QueueProps, overrides?: Partial<sqs.QueueProps>) => merged(`${what} queueProps`, props, overrides, QUEUE_OWNED);
export const mergeDeadLetterQueueProps = (what: string, props: sqs.QueueProps, overrides?: Partial<sqs.QueueProps>) =>
  merged(`${what} deadLetterQueueProps`, props, overrides, DEAD_LETTER_QUEUE_OWNED);
export const mergeTopicProps = (what: string, props: sns.TopicProps, overrides?: Partial<sns.TopicProps>) => merged(`${what} topicProps`, props, overrides, TOPIC_OWNED);

/** Function props with the overrides merged; their `environment` is added to Postbox's, whose POSTBOX_ variables it may not set. */
export function mergeFunctionProps(what: string, props: nodejs.NodejsFunctionProps, overrides?: Partial<nodejs.NodejsFunctionProps>): nodejs.NodejsFunctionProps {
  if (!overrides) return props;
  const { environment, ...rest } = overrides;
  const reserved = Object.keys(environment ?? {}).filter((name) => name.startsWith('POSTBOX_') || name === 'NODE_OPTIONS');
  if (reserved.length > 0) {
    throw new OwnedPropertyError(`${what} functionProps: environment ${reserved.join(', ')} ${reserved.length > 1 ? 'are' : 'is'} Postbox's (set by MessagingStack for the runtime); remove it from the overrides`);
  }
  const withRest = merged(`${what} functionProps`, props, rest, FUNCTION_OWNED);
  return environment ? { ...withRest, environment: { ...environment, ...props.environment } } : withRest;
}

/** The overrides of one handler: the stack-wide ones with the handler's own merged over them. */
export function handlerOverrides(overrides: MessagingOverrides | undefined, handler: string): HandlerOverrides {
  const own = overrides?.handlers?.[handler];
  return {
    ...((overrides?.queueProps || own?.queueProps) && { queueProps: { ...overrides?.queueProps, ...own?.queueProps } }),
    ...((overrides?.deadLetterQueueProps || own?.deadLetterQueueProps) && { deadLetterQueueProps: { ...overrides?.deadLetterQueueProps, ...own?.deadLetterQueueProps } }),
    ...((overrides?.functionProps || own?.functionProps) && {
      functionProps: {
        ...overrides?.functionProps,
        ...own?.functionProps,
        ...((overrides?.functionProps?.environment || own?.functionProps?.environment) && {
          environment: { ...overrides?.functionProps?.environment, ...own?.functionProps?.environment },
        }),
      },
    }),
  };
}

/**
 * Refuses overrides of handlers the topology does not have, and Lambda function props for a worker handler.
 * @throws OwnedPropertyError naming them
 */
export function checkHandlerOverrides(overrides: MessagingOverrides | undefined, queues: ReadonlyArray<{ readonly id: string; readonly handler: { readonly kind: string } }>): void {
  for (const [name, own] of Object.entries(overrides?.handlers ?? {})) {
    const queue = queues.find((candidate) => candidate.id === name);
    if (!queue) throw new OwnedPropertyError(`overrides.handlers names '${name}', which is no subscriber or command handler of the topology (${queues.map((known) => known.id).join(', ')})`);
    if (own.functionProps && queue.handler.kind !== 'lambda') throw new OwnedPropertyError(`overrides.handlers.${name}.functionProps: '${name}' is a worker handler, run by the workers' Fargate service; functionProps applies to Lambda handlers`);
  }
}
