import { PostboxError } from '../postbox-error.ts';

/**
 * Errors about one message. `retryable` decides its fate in a consumer: a
 * retryable failure comes back after a backoff, a non-retryable one goes
 * straight to the dead-letter queue, since trying again cannot fix it.
 */
export abstract class MessageError extends PostboxError {
  abstract readonly retryable: boolean;
}

/** How an error names its message: by its id, or, for one refused before it was sent without an id, as having none. */
function messageName(messageId: string | undefined): string {
  return messageId === undefined ? 'A message given no id (so none was sent)' : `Message ${messageId}`;
}

/** The body is not JSON, or not a well-formed envelope. */
export class MalformedMessageError extends MessageError {
  readonly code = 'MALFORMED_MESSAGE';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly reason: string,
  ) {
    super(`Message ${messageId} is malformed: ${reason}. It cannot be processed as sent; fix the producer.`);
  }
}

/** Nobody declared this message type, or this queue does not handle it. */
export class UnknownMessageTypeError extends MessageError {
  readonly code = 'UNKNOWN_MESSAGE_TYPE';
  readonly retryable = false;

  /** @param messageId the SQS message id of a received message; undefined for one a publisher refused before it had an id */
  constructor(
    readonly messageId: string | undefined,
    readonly messageType: string | undefined,
    readonly reason: string,
  ) {
    super(
      messageType === undefined
        ? `${messageName(messageId)} has no type: ${reason}.`
        : `${messageName(messageId)} has type '${messageType}', which ${reason}.`,
    );
  }
}

/** The message's data does not match the schema of its type. */
export class SchemaValidationError extends MessageError {
  readonly code = 'SCHEMA_VALIDATION_FAILED';
  readonly retryable = false;

  /** @param messageId the SQS message id of a received message; undefined for one a publisher refused before it had an id */
  constructor(
    readonly messageId: string | undefined,
    readonly messageType: string,
    readonly issues: readonly string[],
  ) {
    super(`${messageName(messageId)} of type '${messageType}' does not match its schema: ${issues.join('; ')}.`);
  }
}

/**
 * The message's data is of a newer version of its type than this consumer
 * declares: its producer was deployed first. Retrying cannot help until the
 * consumer is deployed, so it waits in the DLQ for a redrive.
 */
export class UnsupportedDataVersionError extends MessageError {
  readonly code = 'UNSUPPORTED_DATA_VERSION';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly messageType: string,
    readonly dataVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `Message ${messageId} of type '${messageType}' has dataversion ${dataVersion}, newer than version ${knownVersion} that this consumer declares; ` +
        `deploy the consumer that handles version ${dataVersion}, then redrive the message from the dead-letter queue.`,
    );
  }
}

/** The serialized message is over the size its destination accepts. */
export class MessageTooLargeError extends MessageError {
  readonly code = 'MESSAGE_TOO_LARGE';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly messageType: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
    readonly destination: string,
  ) {
    super(
      `Message ${messageId} of type '${messageType}' is ${sizeBytes} bytes, over the ${limitBytes}-byte limit of ${destination}; ` +
        'give the publisher a payload bucket (its payloadBucket option, or POSTBOX_PAYLOAD_BUCKET, which MessagingStack sets) to send it as a pointer to the payload stored there.',
    );
  }
}

/** A delay or a delivery time that neither SQS nor a schedule can apply. */
export class InvalidDelayError extends MessageError {
  readonly code = 'INVALID_DELAY';
  readonly retryable = false;

  constructor(
    readonly messageType: string,
    readonly delaySeconds: number,
    reason: string,
  ) {
    super(`Cannot delay '${messageType}' by ${delaySeconds} s: ${reason}.`);
  }
}

/**
 * Thrown by a handler for a failure that retrying cannot fix (a business rule
 * that rejects the message): the message goes straight to the dead-letter queue.
 */
export class UnrecoverableError extends MessageError {
  readonly code: string;
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, options);
    this.code = options?.code ?? 'UNRECOVERABLE';
  }
}

/** A message that kept failing up to its queue's max receive count. */
export class RetriesExhaustedError extends MessageError {
  readonly code = 'RETRIES_EXHAUSTED';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`Message ${messageId} failed ${attempts} times; last error: ${describeError(lastError)}`, { cause: lastError });
  }
}

/** A message came back more often than its attempts reported: they ended in a crash, a time-out or lost visibility. */
export class AttemptsWithoutResultError extends MessageError {
  readonly code = 'ATTEMPTS_WITHOUT_RESULT';
  readonly retryable = false;

  constructor(readonly receiveCount: number) {
    super(
      `received ${receiveCount} times; its last attempt ended without a result (the consumer crashed, timed out or lost the message's visibility): ` +
        'look for a handler that hangs or brings its process down on it',
    );
  }
}

/** What a failure says about itself, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

/** The stable code of a failure: the PostboxError's own, else HANDLER_ERROR. */
export function errorCode(error: unknown): string {
  return error instanceof PostboxError ? error.code : 'HANDLER_ERROR';
}

/** A handler's own errors are retryable unless they say otherwise. */
export function isRetryable(error: unknown): boolean {
  return error instanceof MessageError ? error.retryable : true;
}
