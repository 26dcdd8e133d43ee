import { needsPayloadBucket } from '../../lib/messages/payload-pointer.ts';
import { parseTopicArn } from '../../lib/topology/naming.ts';
import { executeApiTarget } from '../../lib/topology/http-handler-declaration.ts';
import { runsInWorker } from '../../lib/topology/topology-schema.ts';
import type { ResolvedQueue, ResolvedTopology } from '../../lib/topology/resolve-topology.ts';
import { GLOBAL_SNS_PRINCIPAL, snsDeliveryPrincipals } from '../../lib/infra/sns-delivery-principals.ts';
import type { AwsCall, CallContext, CallPrincipal } from './aws-call.ts';

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
