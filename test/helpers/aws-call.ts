// What an AwsCall is: who makes it, on which resource, in what request context. awsCalls lists them; the permission
// tests turn each into a request against the synthesized template.

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
  /** A Secrets Manager secret by the name or ARN a handler of kind http declares. */
  | { readonly kind: 'secret'; readonly secret: string }
  /** The execute-api URL a SigV4-signed handler of kind http POSTs to. */
  | { readonly kind: 'api'; readonly url: string }
  /** An action with no resource-level permissions. */
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
