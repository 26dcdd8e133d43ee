/**
 * Physical names of the resources of one application in one stage. Every name
 * starts with `<app>-<stage>-`, so several stages share an account without
 * clashing, and FIFO resources end with `.fifo` as AWS requires.
 */

/** SQS queue names: at most 80 characters, `.fifo` included. */
export const MAX_QUEUE_NAME_LENGTH = 80;
/** SNS topic names: at most 256 characters, `.fifo` included. */
export const MAX_TOPIC_NAME_LENGTH = 256;

export const FIFO_SUFFIX = '.fifo';

export function resourcePrefix(app: string, stage: string): string {
  return `${app}-${stage}`;
}

export function physicalName(prefix: string, logicalName: string, fifo: boolean): string {
  return `${prefix}-${logicalName}${fifo ? FIFO_SUFFIX : ''}`;
}

/** The logical queue name of a command type: `invoice.generate` → `invoice-generate`. */
export function commandQueueId(commandType: string): string {
  return commandType.replace(/[._]/g, '-');
}

/** The DynamoDB table of the job locks that keep unique jobs unique across workers. */
export function jobLockTableName(prefix: string): string {
  return `${prefix}-job-locks`;
}

/** The DynamoDB table of the idempotency records of the queues whose handlers run once per message. */
export function idempotencyTableName(prefix: string): string {
  return `${prefix}-idempotency`;
}

/** S3 bucket names: at most 63 characters. */
export const MAX_BUCKET_NAME_LENGTH = 63;

/**
 * The bucket of the payloads over their destination's limit (claim check). S3 bucket names are global across
 * accounts and regions, unlike queue and topic names: the account and region make it the stack's own (as the CDK's
 * bootstrap bucket is `cdk-<qualifier>-assets-<account>-<region>`), so that another account's bucket of the same
 * app and stage, or this stack deployed in a second region, never takes the name.
 */
export function payloadBucketName(prefix: string, scope: { readonly account: string; readonly region: string }): string {
  return `${prefix}-payloads-${scope.account}-${scope.region}`;
}

/** The DynamoDB table of the transactional outbox and the send dead-letter. */
export function outboxTableName(prefix: string): string {
  return `${prefix}-outbox`;
}

/** Where an ARN is made: the partition, region and account of the stack or endpoint (CDK tokens are fine). */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The ARN of another service's topic: as declared, or by its name in this scope (same account and region). */
export function externalTopicArn(topic: { readonly arn: string | undefined; readonly name: string }, scope: ArnScope): string {
  return topic.arn ?? `arn:${scope.partition}:sns:${scope.region}:${scope.account}:${topic.name}`;
}

/** The parts of an SNS topic ARN (`arn:<partition>:sns:<region>:<account>:<name>`). */
export function parseTopicArn(arn: string): ArnScope & { readonly name: string } {
  const [, partition = '', , region = '', account = '', name = ''] = arn.split(':');
  return { partition, region, account, name };
}

/** Written in an http handler's `url`, it stands for the stage the topology is resolved at. */
export const STAGE_PLACEHOLDER = '{stage}';
