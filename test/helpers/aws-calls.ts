import { needsPayloadBucket } from '../../lib/messages/payload-pointer.ts';
import { parseTopicArn } from '../../lib/topology/naming.ts';
import { executeApiTarget } from '../../lib/topology/http-handler-declaration.ts';
import { runsInWorker } from '../../lib/topology/topology-schema.ts';
import type { ResolvedQueue, ResolvedTopology } from '../../lib/topology/resolve-topology.ts';
import { GLOBAL_SNS_PRINCIPAL, snsDeliveryPrincipals } from '../../lib/infra/sns-delivery-principals.ts';

/** Who makes a call: a role of the stack, a role granted with the publish helpers, or an AWS service principal. */
export type CallPrincipal =
  /** A producer's role, granted with the topic's `grantPublish` and the command queue's `grantSendMessages`. */
  | { readonly kind: 'publisher' }
  /** The execution role of the queue's Lambda consumer, which its event source mapping uses too. */
  | { readonly kind: 'lambda-consumer'; readonly queue: string }
  /** The task role of the worker service: what the worker process calls. */
  | { readonly kind: 'worker-task' }
  /** The task execution role of the worker service: ECS pulls the image and ships logs with it. */
  | { readonly kind: 'worker-execution' }
  /** The execution role of the outbox relay (`MessagingStack` prop `outbox`), which its stream event source uses too. */
  | { readonly kind: 'outbox-relay' }
  /** The role VPC flow logs write with. */
  | { readonly kind: 'flow-logs' }
  /** The role EventBridge Scheduler delivers scheduled messages with (`MessagingStack` prop `schedules`). */
  | { readonly kind: 'scheduler' }
  /** A role of another account that the topic's `allowSubscribers` names (or of an organization it names). */
  | { readonly kind: 'subscriber-account'; readonly account: string; readonly organization?: string }
  /** An AWS service acting on the stack's behalf, with no role of ours; SNS across regions with an opt-in one as `sns.<region>.amazonaws.com`. */
  | { readonly kind: 'service'; readonly service: 'sns.amazonaws.com' | `sns.${string}.amazonaws.com` | 'cloudwatch.amazonaws.com' };

/** Which resource of the stack a call acts on. */
export type CallResource =
  | { readonly kind: 'topic'; readonly topic: string }
  /** Another service's topic that a queue of the stack subscribes to (`externalTopics`). */
  | { readonly kind: 'external-topic'; readonly topic: string }
  /** The key that encrypts the topic. */
  | { readonly kind: 'topic-key'; readonly topic: string }
  | { readonly kind: 'queue'; readonly queue: string }
  | { readonly kind: 'dead-letter-queue'; readonly queue: string }
  /** The subscription's queue for messages SNS could not deliver. */
  | { readonly kind: 'delivery-dead-letter-queue'; readonly queue: string }
  | { readonly kind: 'alarm-topic' }
  | { readonly kind: 'alarm-topic-key' }
  /** A stream of a log group: the Lambda consumer's of `queue`, the workers', the outbox relay's, or the VPC flow logs'. */
  | { readonly kind: 'log-stream'; readonly logGroup: 'lambda-consumer' | 'worker' | 'flow-logs' | 'outbox-relay'; readonly queue?: string }
  | { readonly kind: 'log-group'; readonly logGroup: 'flow-logs' }
  | { readonly kind: 'job-lock-table' }
  /** The idempotency records of the queues that declare `idempotency`. */
  | { readonly kind: 'idempotency-table' }
  /** A payload in the payload bucket, under its prefix (claim check). */
  | { readonly kind: 'payload-object' }
  /** The payload bucket itself (listing). */
  | { readonly kind: 'payload-bucket' }
  | { readonly kind: 'outbox-table' }
  | { readonly kind: 'outbox-stream' }
  /** The queue that the outbox stream's event source records the batches it gave up on in. */
  | { readonly kind: 'outbox-relay-failures' }
  /** A schedule of the stack's schedule group. */
  | { readonly kind: 'schedule' }
  /** The role the schedules deliver with, as a publisher passes it. */
  | { readonly kind: 'scheduler-role' }
  /** The queue of what a schedule could not deliver. */
  | { readonly kind: 'scheduler-dead-letter-queue' }
  /** A Requester instance's reply queue, `<app>-<stage>-replies-<instance>`, which it makes and deletes itself. */
  | { readonly kind: 'reply-queue' }
  /** The CDK bootstrap repository that holds the worker image. */
  | { readonly kind: 'worker-image-repository' }
  /** A task of the worker service's cluster, as it runs. */
  | { readonly kind: 'worker-ecs-task' }
  /** An action with no resource-level permissions. */
  /** A Secrets Manager secret by the name or ARN a handler of kind http declares. */
  | { readonly kind: 'secret'; readonly secret: string }
  /** The execute-api URL a SigV4-signed handler of kind http POSTs to. */
  | { readonly kind: 'api'; readonly url: string }
  | { readonly kind: 'any' };

/** What AWS knows about a request besides its principal, action and resource. */
export interface CallContext {
  /** `aws:SourceArn`: the resource on whose behalf a service calls. */
  readonly sourceArn?: CallResource;
  /** `aws:SourceAccount`: a service calls on behalf of the stack's own account. */
  readonly sourceAccount?: true;
  /** `kms:ViaService`: the key is used by this service for the caller (as SNS does for a publisher). */
  readonly viaService?: 'sns';
  /** `sns:Protocol`: the protocol of the subscription asked for. */
  readonly protocol?: 'sqs';
  /** `s3:prefix`: the key prefix a listing asks for. */
  readonly s3Prefix?: string;
  /** `iam:PassedToService`: the service a role is passed to. */
  readonly passedToService?: 'scheduler.amazonaws.com';
}

/** One request that must be allowed for Postbox to work. Every call is made over TLS (`aws:SecureTransport`). */
export interface AwsCall {
  readonly principal: CallPrincipal;
  /** IAM action, as policies name it: a batch API is authorised as its single action (`PublishBatch` as `sns:Publish`). */
  readonly action: string;
  readonly resource: CallResource;
  readonly context?: CallContext;
  /** Which code or service makes it, and why. */
  readonly purpose: string;
}

export interface AwsCallsOptions {
  /**
   * The stack's region: SNS delivers another region's topic as the principal `snsDeliveryPrincipals` names.
   * @default unknown: each principal SNS may deliver as is a call of its own
   */
  readonly region?: string;
  /** The stack has the transactional outbox (`MessagingStack` prop `outbox`). @default false */
  readonly outbox?: boolean;
  /** The stack has messages for later (`MessagingStack` prop `schedules`). @default false */
  readonly schedules?: boolean;
}

/**
 * Every AWS call the deployed stack depends on, for the topology's topics
 * and queues: the runtime's (publisher, Lambda consumers, workers), the event
 * sources', and the AWS services' (SNS delivering to queues, CloudWatch
 * notifying the alarm topic, ECS and flow logs). Calls made inside one
 * service with no IAM check (SQS's redrive to a DLQ, alarms reading metrics,
 * Application Auto Scaling's service-linked role) are not listed, nor are the
 * operators' (the `postbox` CLI's redrive and status), made with their own
 * credentials.
 *
 * A publisher makes no look-up: it builds topic ARNs and queue URLs from the
 * naming scheme, its account and region (`DestinationAddresses`).
 */
export function awsCalls(topology: ResolvedTopology, options: AwsCallsOptions = {}): AwsCall[] {
  const calls: AwsCall[] = [];
  for (const topic of topology.topics) calls.push(...publishCalls(topic.id), ...subscribeCalls(topic.id, topic.allowSubscribers));
  for (const queue of topology.queues) {
    if (queue.role === 'command') {
      calls.push({ principal: { kind: 'publisher' }, action: 'sqs:SendMessage', resource: { kind: 'queue', queue: queue.id }, purpose: 'Publisher.send, and SendMessageBatch' });
    }
    if (queue.subscription) calls.push(...deliveryCalls(queue, topology, options.region));
    if (queue.handler.kind === 'lambda') calls.push(...lambdaConsumerCalls(queue.id));
    else calls.push(...workerCalls(queue.id));
    if (queue.idempotency) calls.push(...idempotencyCalls(queue));
  }
  if (topology.queues.some((queue) => runsInWorker(queue.handler))) calls.push(...workerServiceCalls());
  calls.push(...httpEndpointCalls(topology));
  if (needsPayloadBucket(topology)) calls.push(...payloadCalls(topology));
  if (options.outbox) calls.push(...outboxCalls(topology));
  if (options.schedules) calls.push(...scheduleCalls(topology));
  calls.push(...requestReplyCalls(topology));
  calls.push(...alarmCalls());
  return calls;
}

function publishCalls(topic: string): AwsCall[] {
  const publisher = { kind: 'publisher' } as const;
  const key = { kind: 'topic-key', topic } as const;
  return [
    { principal: publisher, action: 'sns:Publish', resource: { kind: 'topic', topic }, purpose: 'Publisher.publish and publishBatch (PublishBatch)' },
    { principal: publisher, action: 'kms:GenerateDataKey', resource: key, context: { viaService: 'sns' }, purpose: 'SNS encrypts the published message with the topic key, as the publisher' },
    { principal: publisher, action: 'kms:Decrypt', resource: key, context: { viaService: 'sns' }, purpose: 'SNS reuses the data key of the topic key, as the publisher' },
  ];
}

/** Subscribing a queue of another account: what `allowSubscribers` lets in (a member account of an organization it names). */
function subscribeCalls(topic: string, allowSubscribers: readonly string[]): AwsCall[] {
  return allowSubscribers.map((principal) => ({
    principal: principal.startsWith('o-') ? { kind: 'subscriber-account', account: '999999999999', organization: principal } : { kind: 'subscriber-account', account: principal },
    action: 'sns:Subscribe',
    resource: { kind: 'topic', topic },
    context: { protocol: 'sqs' },
    purpose: `the subscribing service of ${principal} subscribes its SQS queue to the topic (from its own stack)`,
  }));
}

/** SNS delivering to a subscribed queue and its delivery DLQ, as the principal(s) it uses for the topic's region. */
function deliveryCalls(queue: ResolvedQueue, topology: ResolvedTopology, region: string | undefined): AwsCall[] {
  const { topicId, external } = queue.subscription!;
  const context: CallContext = { sourceArn: { kind: external ? 'external-topic' : 'topic', topic: topicId } };
  // Only a topic given by ARN may be in another region; the others are named in the stack's own.
  const arn = external ? topology.externalTopics.find((topic) => topic.id === topicId)?.arn : undefined;
  const principals = arn === undefined ? [GLOBAL_SNS_PRINCIPAL] : snsDeliveryPrincipals(parseTopicArn(arn).region, region);
  return principals.flatMap((service) => {
    const sns = { kind: 'service', service: service as `sns.${string}.amazonaws.com` } as const;
    const as = service === GLOBAL_SNS_PRINCIPAL ? '' : ` (as ${service})`;
    return [
      { principal: sns, action: 'sqs:SendMessage', resource: { kind: 'queue', queue: queue.id }, context, purpose: `SNS delivers the topic to the subscribed queue${as}` },
      {
        principal: sns,
        action: 'sqs:SendMessage',
        resource: { kind: 'delivery-dead-letter-queue', queue: queue.id },
        context,
        purpose: `SNS moves a message it could not deliver to the subscription dead-letter queue${as}`,
      },
    ];
  });
}

function lambdaConsumerCalls(queue: string): AwsCall[] {
  const role = { kind: 'lambda-consumer', queue } as const;
  const main = { kind: 'queue', queue } as const;
  const dlq = { kind: 'dead-letter-queue', queue } as const;
  const logs = { kind: 'log-stream', logGroup: 'lambda-consumer', queue } as const;
  return [
    { principal: role, action: 'sqs:ReceiveMessage', resource: main, purpose: 'the event source mapping polls the queue' },
    { principal: role, action: 'sqs:DeleteMessage', resource: main, purpose: 'the event source mapping deletes what the batch did not report failed' },
    { principal: role, action: 'sqs:GetQueueAttributes', resource: main, purpose: 'the event source mapping reads the queue' },
    { principal: role, action: 'sqs:ChangeMessageVisibility', resource: main, purpose: 'QueueRuntime.delay hides a failed message for its backoff' },
    { principal: role, action: 'sqs:SendMessage', resource: dlq, purpose: 'QueueActions.deadLetter copies a message with its failure record' },
    { principal: role, action: 'sqs:GetQueueAttributes', resource: dlq, purpose: "QueueActions reads the dead-letter queue's MaximumMessageSize" },
    { principal: role, action: 'logs:CreateLogStream', resource: logs, purpose: 'Lambda writes the log of the function' },
    { principal: role, action: 'logs:PutLogEvents', resource: logs, purpose: 'Lambda writes the log of the function' },
  ];
}

function idempotencyCalls(queue: ResolvedQueue): AwsCall[] {
  const principal: CallPrincipal = queue.handler.kind === 'lambda' ? { kind: 'lambda-consumer', queue: queue.id } : { kind: 'worker-task' };
  const table = { kind: 'idempotency-table' } as const;
  return [
    { principal, action: 'dynamodb:PutItem', resource: table, purpose: 'DynamoDbIdempotencyStore claims the record of a message before its handler runs' },
    { principal, action: 'dynamodb:GetItem', resource: table, purpose: 'DynamoDbIdempotencyStore reads the record that refused a claim' },
    { principal, action: 'dynamodb:UpdateItem', resource: table, purpose: 'DynamoDbIdempotencyStore marks the record completed, with the result' },
    { principal, action: 'dynamodb:DeleteItem', resource: table, purpose: 'DynamoDbIdempotencyStore releases the record of a failed attempt' },
  ];
}

function workerCalls(queue: string): AwsCall[] {
  const role = { kind: 'worker-task' } as const;
  const main = { kind: 'queue', queue } as const;
  const dlq = { kind: 'dead-letter-queue', queue } as const;
  return [
    { principal: role, action: 'sqs:GetQueueUrl', resource: main, purpose: 'QueueActions looks the queue up by name' },
    { principal: role, action: 'sqs:ReceiveMessage', resource: main, purpose: 'PollingConsumer long-polls' },
    { principal: role, action: 'sqs:DeleteMessage', resource: main, purpose: 'DeleteBatcher deletes settled messages (DeleteMessageBatch)' },
    { principal: role, action: 'sqs:ChangeMessageVisibility', resource: main, purpose: 'the visibility heartbeat of a running job, and backoff' },
    { principal: role, action: 'sqs:SendMessage', resource: main, purpose: 'StopCopies sends a stopped job on its last receive again, with a fresh receive count' },
    { principal: role, action: 'sqs:GetQueueUrl', resource: dlq, purpose: 'QueueActions looks the dead-letter queue up by name' },
    { principal: role, action: 'sqs:GetQueueAttributes', resource: dlq, purpose: "QueueActions reads the dead-letter queue's MaximumMessageSize" },
    { principal: role, action: 'sqs:SendMessage', resource: dlq, purpose: 'QueueActions.deadLetter copies a message with its failure record' },
  ];
}

/** The worker reads each HMAC secret of a handler of kind http, and POSTs to each SigV4-signed API behind IAM. */
function httpEndpointCalls(topology: ResolvedTopology): AwsCall[] {
  const task = { kind: 'worker-task' } as const;
  return topology.queues.flatMap(({ handler }): AwsCall[] => {
    if (handler.kind !== 'http') return [];
    if (handler.secret && 'secretsManager' in handler.secret) {
      return [{ principal: task, action: 'secretsmanager:GetSecretValue', resource: { kind: 'secret', secret: handler.secret.secretsManager }, purpose: 'secretsManagerSecret reads the HMAC secret of an endpoint' }];
    }
    if (handler.signing === 'sigv4' && executeApiTarget(new URL(handler.url))) {
      return [{ principal: task, action: 'execute-api:Invoke', resource: { kind: 'api', url: handler.url }, purpose: 'the endpoint handler POSTs a message to an API behind IAM, signed with SigV4' }];
    }
    return [];
  });
}

function workerServiceCalls(): AwsCall[] {
  const task = { kind: 'worker-task' } as const;
  const execution = { kind: 'worker-execution' } as const;
  const flowLogs = { kind: 'flow-logs' } as const;
  const repository = { kind: 'worker-image-repository' } as const;
  const workerLogs = { kind: 'log-stream', logGroup: 'worker' } as const;
  const flowLogStreams = { kind: 'log-stream', logGroup: 'flow-logs' } as const;
  return [
    { principal: task, action: 'dynamodb:PutItem', resource: { kind: 'job-lock-table' }, purpose: 'DynamoDbJobLock takes and renews the lock of a unique job' },
    { principal: task, action: 'dynamodb:DeleteItem', resource: { kind: 'job-lock-table' }, purpose: 'DynamoDbJobLock releases the lock of a unique job' },
    { principal: task, action: 'ecs:UpdateTaskProtection', resource: { kind: 'worker-ecs-task' }, purpose: 'ScaleInProtection, through the ECS agent, while the task holds messages' },
    { principal: execution, action: 'ecr:GetAuthorizationToken', resource: { kind: 'any' }, purpose: 'ECS logs in to pull the worker image' },
    { principal: execution, action: 'ecr:BatchCheckLayerAvailability', resource: repository, purpose: 'ECS pulls the worker image' },
    { principal: execution, action: 'ecr:GetDownloadUrlForLayer', resource: repository, purpose: 'ECS pulls the worker image' },
    { principal: execution, action: 'ecr:BatchGetImage', resource: repository, purpose: 'ECS pulls the worker image' },
    { principal: execution, action: 'logs:CreateLogStream', resource: workerLogs, purpose: "the awslogs driver ships the worker's output" },
    { principal: execution, action: 'logs:PutLogEvents', resource: workerLogs, purpose: "the awslogs driver ships the worker's output" },
    { principal: flowLogs, action: 'logs:CreateLogStream', resource: flowLogStreams, purpose: 'VPC flow logs of the worker VPC' },
    { principal: flowLogs, action: 'logs:PutLogEvents', resource: flowLogStreams, purpose: 'VPC flow logs of the worker VPC' },
    { principal: flowLogs, action: 'logs:DescribeLogStreams', resource: { kind: 'log-group', logGroup: 'flow-logs' }, purpose: 'VPC flow logs of the worker VPC' },
  ];
}

/**
 * The claim check: a publisher stores a payload over its destination's limit; each consumer reads it, and lists
 * the prefix so that a gone payload reads as 404 (PAYLOAD_MISSING) rather than 403.
 */
function payloadCalls(topology: ResolvedTopology): AwsCall[] {
  const object = { kind: 'payload-object' } as const;
  const readers: CallPrincipal[] = [
    ...topology.queues.filter((queue) => queue.handler.kind === 'lambda').map((queue) => ({ kind: 'lambda-consumer', queue: queue.id }) as const),
    ...(topology.queues.some((queue) => runsInWorker(queue.handler)) ? [{ kind: 'worker-task' } as const] : []),
  ];
  return [
    { principal: { kind: 'publisher' }, action: 's3:PutObject', resource: object, purpose: "Publisher stores a payload over its destination's limit (claim check)" },
    ...readers.flatMap((principal): AwsCall[] => [
      { principal, action: 's3:GetObject', resource: object, purpose: 'MessageProcessor fetches the payload a pointer names, before decoding' },
      { principal, action: 's3:ListBucket', resource: { kind: 'payload-bucket' }, context: { s3Prefix: 'payloads/' }, purpose: 'lets S3 answer a read of a gone payload with 404, which dead-letters it as PAYLOAD_MISSING' },
    ]),
  ];
}

/** Request-reply, when a command declares a reply: a requester granted with `grantRequest`, and the handlers replying. */
function requestReplyCalls(topology: ResolvedTopology): AwsCall[] {
  const replying = topology.queues.filter((queue) => queue.role === 'command' && queue.messageTypes.some((type) => topology.commands[type]?.reply));
  if (replying.length === 0) return [];
  const publisher = { kind: 'publisher' } as const;
  const replyQueue = { kind: 'reply-queue' } as const;
  return [
    ...['sqs:CreateQueue', 'sqs:SetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:DeleteQueue'].map(
      (action): AwsCall => ({ principal: publisher, action, resource: replyQueue, purpose: 'Requester.start, its reply loop, and stop' }),
    ),
    ...replying.map(
      (queue): AwsCall => ({
        principal: queue.handler.kind === 'lambda' ? { kind: 'lambda-consumer', queue: queue.id } : { kind: 'worker-task' },
        action: 'sqs:SendMessage',
        resource: replyQueue,
        purpose: "a replying command's handler sends its reply to the requester's reply queue",
      }),
    ),
  ];
}

/** Messages for later: a publisher granted with `grantSchedule` making and deleting schedules, and the schedules delivering. */
function scheduleCalls(topology: ResolvedTopology): AwsCall[] {
  const publisher = { kind: 'publisher' } as const;
  const scheduler = { kind: 'scheduler' } as const;
  return [
    { principal: publisher, action: 'scheduler:CreateSchedule', resource: { kind: 'schedule' }, purpose: 'Publisher.publish and send with `at`, or a delay past 15 minutes' },
    { principal: publisher, action: 'scheduler:DeleteSchedule', resource: { kind: 'schedule' }, purpose: 'Publisher.cancelScheduled' },
    { principal: publisher, action: 'iam:PassRole', resource: { kind: 'scheduler-role' }, context: { passedToService: 'scheduler.amazonaws.com' }, purpose: 'CreateSchedule names the role the schedule delivers with' },
    ...topology.topics.flatMap((topic): AwsCall[] => [
      { principal: scheduler, action: 'sns:Publish', resource: { kind: 'topic', topic: topic.id }, purpose: 'a schedule publishes its event (universal target sns:publish)' },
      { principal: scheduler, action: 'kms:GenerateDataKey', resource: { kind: 'topic-key', topic: topic.id }, context: { viaService: 'sns' }, purpose: 'SNS encrypts the scheduled event with the topic key' },
    ]),
    ...topology.queues
      .filter((queue) => queue.role === 'command')
      .map((queue): AwsCall => ({ principal: scheduler, action: 'sqs:SendMessage', resource: { kind: 'queue', queue: queue.id }, purpose: 'a schedule sends its command (universal target sqs:sendMessage)' })),
    { principal: scheduler, action: 'sqs:SendMessage', resource: { kind: 'scheduler-dead-letter-queue' }, purpose: 'a schedule keeps what it could not deliver in its dead-letter queue' },
  ];
}

/** The outbox: a service writing to it (granted with `grantWrite`), and the relay publishing what it holds. */
function outboxCalls(topology: ResolvedTopology): AwsCall[] {
  const relay = { kind: 'outbox-relay' } as const;
  const table = { kind: 'outbox-table' } as const;
  const stream = { kind: 'outbox-stream' } as const;
  const logs = { kind: 'log-stream', logGroup: 'outbox-relay' } as const;
  return [
    { principal: { kind: 'publisher' }, action: 'dynamodb:PutItem', resource: table, purpose: 'Outbox.transactWrite puts the records (TransactWriteItems), and a Publisher its send dead-letter' },
    { principal: relay, action: 'dynamodb:DescribeStream', resource: stream, purpose: 'the event source mapping reads the outbox stream' },
    { principal: relay, action: 'dynamodb:GetShardIterator', resource: stream, purpose: 'the event source mapping reads the outbox stream' },
    { principal: relay, action: 'dynamodb:GetRecords', resource: stream, purpose: 'the event source mapping reads the outbox stream' },
    { principal: relay, action: 'dynamodb:ListStreams', resource: { kind: 'any' }, purpose: 'the event source mapping finds the table stream' },
    { principal: relay, action: 'sqs:SendMessage', resource: { kind: 'outbox-relay-failures' }, purpose: 'the event source mapping records a batch it gave up on' },
    { principal: relay, action: 'dynamodb:BatchGetItem', resource: table, purpose: 'the stream handler skips the records of a retried batch that an earlier attempt sent' },
    { principal: relay, action: 'dynamodb:DeleteItem', resource: table, purpose: 'OutboxRelay deletes a record once sent' },
    { principal: relay, action: 'dynamodb:PutItem', resource: table, purpose: 'OutboxRelay keeps a record it could not send as a dead letter' },
    { principal: relay, action: 'logs:CreateLogStream', resource: logs, purpose: 'Lambda writes the log of the relay' },
    { principal: relay, action: 'logs:PutLogEvents', resource: logs, purpose: 'Lambda writes the log of the relay' },
    ...topology.topics.flatMap((topic) => publishCalls(topic.id).map((call) => ({ ...call, principal: relay, purpose: `OutboxRelay: ${call.purpose}` }))),
    ...topology.queues
      .filter((queue) => queue.role === 'command')
      .map((queue): AwsCall => ({ principal: relay, action: 'sqs:SendMessage', resource: { kind: 'queue', queue: queue.id }, purpose: 'OutboxRelay sends a command (SendMessageBatch)' })),
  ];
}

function alarmCalls(): AwsCall[] {
  const cloudwatch = { kind: 'service', service: 'cloudwatch.amazonaws.com' } as const;
  const context = { sourceAccount: true } as const;
  const key = { kind: 'alarm-topic-key' } as const;
  return [
    { principal: cloudwatch, action: 'sns:Publish', resource: { kind: 'alarm-topic' }, context, purpose: 'an alarm notifies the alarm topic' },
    { principal: cloudwatch, action: 'kms:GenerateDataKey', resource: key, context, purpose: 'SNS encrypts the alarm with the alarm topic key, for CloudWatch' },
    { principal: cloudwatch, action: 'kms:Decrypt', resource: key, context, purpose: 'SNS reuses the data key of the alarm topic key, for CloudWatch' },
  ];
}
