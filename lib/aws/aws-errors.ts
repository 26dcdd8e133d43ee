import { PostboxError } from '../postbox-error.ts';

/** What a failed AWS call was about, for the message of its error. */
export interface AwsCallContext {
  /** The queue's name, when the call was about one. @default none */
  readonly queue?: string;
  /** The topic's name, when the call was about one. @default none */
  readonly topic?: string;
  /** A DynamoDB table's name, when the call was about one. @default none */
  readonly table?: string;
  /** An S3 object (`s3://bucket/key`), when the call was about one. @default none */
  readonly object?: string;
  /** The endpoint as a person recognises it (`http://127.0.0.1:4566`, `AWS`). @default 'AWS' */
  readonly endpoint?: string;
  /** The stage whose resource it was, for the fix a message suggests. @default none */
  readonly stage?: string;
}

/** The error an SDK call threw, as Postbox reads it: the SDK's own error stays its `cause`. */
export abstract class AwsCallError extends PostboxError {
  /** Whether trying the same call again later may succeed. */
  abstract readonly retryable: boolean;

  constructor(
    message: string,
    readonly context: AwsCallContext,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/** SQS has no queue of that name (or URL) at that endpoint. */
export class QueueDoesNotExistError extends AwsCallError {
  readonly code = 'QUEUE_DOES_NOT_EXIST';
  readonly retryable = false;

  constructor(context: AwsCallContext, cause: unknown) {
    super(
      `queue ${context.queue ?? '(unnamed)'} does not exist at ${where(context)}; deploy ${context.stage === undefined ? 'the stack for this stage' : `stage '${context.stage}'`} with cdk deploy, or create it at an emulator with postbox provision`,
      context,
      cause,
    );
  }
}

/** S3 has no such object, or no such bucket: deleted, expired by a lifecycle rule, or never stored there. */
export class ObjectDoesNotExistError extends AwsCallError {
  readonly code = 'OBJECT_DOES_NOT_EXIST';
  readonly retryable = false;

  constructor(context: AwsCallContext, cause: unknown) {
    super(`${subject(context)} does not exist at ${where(context)} (${describeSdkError(cause)})`, context, cause);
  }
}

/** The endpoint could not be reached: refused, reset, unknown host or timed out. */
export class EndpointUnreachableError extends AwsCallError {
  readonly code = 'ENDPOINT_UNREACHABLE';
  readonly retryable = true;

  constructor(
    /** The network error's code: ECONNREFUSED, ECONNRESET, ENOTFOUND or ETIMEDOUT. */
    readonly networkCode: string,
    context: AwsCallContext,
    cause: unknown,
  ) {
    super(`cannot reach ${where(context)} (${networkCode}); check --endpoint, AWS_ENDPOINT_URL or your network`, context, cause);
  }
}

/** The credentials may not make the call. */
export class AccessDeniedError extends AwsCallError {
  readonly code = 'ACCESS_DENIED';
  readonly retryable = false;

  constructor(context: AwsCallContext, cause: unknown) {
    super(
      `${where(context)} denied access to ${subject(context)} (${describeSdkError(cause)}); check the credentials in use (AWS_PROFILE, the role) and that their policies allow the call`,
      context,
      cause,
    );
  }
}

/** AWS refused the call for its rate; it may pass later. */
export class ThrottledError extends AwsCallError {
  readonly code = 'THROTTLED';
  readonly retryable = true;

  constructor(context: AwsCallContext, cause: unknown) {
    super(`${where(context)} throttled a call on ${subject(context)} (${describeSdkError(cause)}); it may pass when retried later, or with a higher quota`, context, cause);
  }
}

/** The resource that a create call names exists already (a DynamoDB table, say). */
export class ResourceAlreadyExistsError extends AwsCallError {
  readonly code = 'RESOURCE_ALREADY_EXISTS';
  readonly retryable = false;

  constructor(context: AwsCallContext, cause: unknown) {
    super(`${subject(context)} already exists at ${where(context)} (${describeSdkError(cause)})`, context, cause);
  }
}

/** A conditional write found the item not as its condition required (a DynamoDB ConditionalCheckFailed). */
export class ConditionFailedError extends AwsCallError {
  readonly code = 'CONDITION_FAILED';
  readonly retryable = false;

  constructor(context: AwsCallContext, cause: unknown) {
    super(`a conditional write to ${subject(context)} found the item otherwise (${describeSdkError(cause)})`, context, cause);
  }
}

/** The endpoint does not implement the action (an emulator that lacks it). */
export class OperationUnsupportedError extends AwsCallError {
  readonly code = 'OPERATION_UNSUPPORTED';
  readonly retryable = false;

  constructor(context: AwsCallContext, cause: unknown) {
    super(`${where(context)} does not support this call (${describeSdkError(cause)}); use an endpoint that does, or AWS`, context, cause);
  }
}

/** The SDK found no region or no credentials to sign with: nothing was sent. */
export class AwsConfigurationMissingError extends AwsCallError {
  readonly code = 'AWS_CONFIGURATION_MISSING';
  readonly retryable = false;

  constructor(context: AwsCallContext, cause: unknown) {
    super(
      `no AWS region or credentials to call ${where(context)} with (${describeSdkError(cause)}); pass --region and --profile ` +
        '(or set AWS_REGION and AWS_PROFILE), or --endpoint with the URL of an emulator, such as the one npm start prints',
      context,
      cause,
    );
  }
}

/** Any other refusal: the SDK's error name and message are kept. */
export class AwsServiceError extends AwsCallError {
  readonly code = 'AWS_CALL_FAILED';
  readonly retryable: boolean;
  /** The SDK error's name (`InvalidParameterValue`), or `Error`. */
  readonly awsName: string;

  constructor(context: AwsCallContext, cause: unknown) {
    super(`${where(context)} refused the call: ${describeSdkError(cause)}`, context, cause);
    const { name = 'Error', $retryable, $fault } = (cause ?? {}) as SdkErrorShape;
    this.awsName = name;
    // The SDK marks server faults and the errors it would retry itself; anything else from a client is final. An
    // answer it could not parse (a proxy's HTML 502 page: a SyntaxError) is the server's, so it is tried again.
    this.retryable = Boolean($retryable) || $fault !== 'client';
  }
}

type SdkErrorShape = { name?: string; message?: string; code?: string; cause?: { code?: string }; $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT']);
const QUEUE_DOES_NOT_EXIST = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError', 'AuthorizationErrorException', 'KMSAccessDeniedException']);
const ALREADY_EXISTS = new Set(['ResourceInUseException', 'QueueAlreadyExists', 'QueueNameExists', 'ResourceAlreadyExistsException']);
// S3 answers a HEAD without a body, so the SDK names its 404 NotFound.
const OBJECT_DOES_NOT_EXIST = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound']);

/**
 * The one place that reads an AWS SDK error (its name, network code, fault and
 * retry marks) and makes it one of Postbox's typed errors. Callers at the SDK
 * boundary pass it what the call was about, so that the message names it.
 * An error that is a PostboxError already is returned as it is.
 */
export function translateAwsError(error: unknown, context: AwsCallContext = {}): PostboxError {
  if (error instanceof PostboxError) return error;
  const shape = (error ?? {}) as SdkErrorShape;
  const name = shape.name ?? '';
  const networkCode = [shape.code, shape.cause?.code].find((code) => code !== undefined && NETWORK_CODES.has(code));
  if (networkCode) return new EndpointUnreachableError(networkCode, context, error);
  if (QUEUE_DOES_NOT_EXIST.has(name)) return new QueueDoesNotExistError(context, error);
  if (ACCESS_DENIED.has(name)) return new AccessDeniedError(context, error);
  if (OBJECT_DOES_NOT_EXIST.has(name)) return new ObjectDoesNotExistError(context, error);
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name)) return new ThrottledError(context, error);
  if (ALREADY_EXISTS.has(name)) return new ResourceAlreadyExistsError(context, error);
  if (name === 'CredentialsProviderError' || /^Region is missing/.test(shape.message ?? '')) return new AwsConfigurationMissingError(context, error);
  if (name === 'ConditionalCheckFailedException') return new ConditionFailedError(context, error);
  // 501 Not Implemented: an emulator that lacks the whole service (fauxqs without moto answers DynamoDB so).
  if (/InvalidAction|UnknownOperation|UnsupportedOperation|NotImplemented/i.test(name) || shape.$metadata?.httpStatusCode === 501) return new OperationUnsupportedError(context, error);
  return new AwsServiceError(context, error);
}

type EndpointProvider = () => Promise<{ protocol: string; hostname: string; port?: number; path?: string }>;

/** The endpoint an SDK client calls, for AwsCallContext: its URL when one was given, else `AWS`. */
export async function endpointOf(client: { config: { endpoint?: EndpointProvider } }, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  // The SDK reads AWS_ENDPOINT_URL only when it sends, so a client given none may still call an emulator.
  if (!client.config.endpoint) return env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL ?? 'AWS';
  return endpointUrl(await client.config.endpoint());
}

/** An SDK client's resolved endpoint as the URL a person wrote (`http://127.0.0.1:4566`). */
export function endpointUrl({ protocol, hostname, port }: { protocol: string; hostname: string; port?: number }): string {
  return `${protocol}//${hostname}${port === undefined ? '' : `:${port}`}`;
}

function where(context: AwsCallContext): string {
  return context.endpoint ?? 'AWS';
}

function subject(context: AwsCallContext): string {
  if (context.queue) return `queue ${context.queue}`;
  if (context.topic) return `topic ${context.topic}`;
  if (context.table) return `table ${context.table}`;
  if (context.object) return `object ${context.object}`;
  return 'the resource';
}

/** An SDK error as its name and message (`InvalidParameterValue: ...`), for the message of the error that wraps it. */
export function describeSdkError(error: unknown): string {
  const { name = 'Error', message } = (error ?? {}) as SdkErrorShape;
  return message ? `${name}: ${message}` : name;
}
