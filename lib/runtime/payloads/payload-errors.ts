import { MessageError } from '../../messages/message-errors.ts';
import { payloadLocation, type PayloadPointer } from '../../messages/payload-pointer.ts';
import { PostboxError } from '../../postbox-error.ts';
import { AccessDeniedError, AwsCallError } from '../../aws/aws-errors.ts';

/**
 * The payload a message points to is gone: deleted, or expired by the payload
 * bucket's lifecycle rule. Retrying cannot bring it back, so the message is
 * dead-lettered at once, with this reason.
 */
export class PayloadMissingError extends MessageError {
  readonly code = 'PAYLOAD_MISSING';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly pointer: PayloadPointer,
    options?: ErrorOptions,
  ) {
    super(
      `Message ${messageId} points to its payload at ${payloadLocation(pointer)}, which does not exist (deleted, or expired by the bucket's lifecycle rule); ` +
        'it cannot be handled: publish it again from its source if it is still needed.',
      options,
    );
  }
}

/** The payload a message points to could not be read (access denied, throttled, unreachable). */
export class PayloadFetchError extends MessageError {
  readonly code = 'PAYLOAD_FETCH_FAILED';
  /** As the failed call: a throttled or unreachable S3 may answer later; a denied read needs a grant, then a redrive. */
  readonly retryable: boolean;

  constructor(
    readonly messageId: string,
    readonly pointer: PayloadPointer,
    cause: AwsCallError | PostboxError,
  ) {
    const retryable = cause instanceof AwsCallError ? cause.retryable : true;
    super(
      `The payload of message ${messageId} at ${payloadLocation(pointer)} could not be read: ${cause.message}. ` +
        (cause instanceof AccessDeniedError
          ? "Grant the consumer's role s3:GetObject on the payload bucket (MessagingStack does for its own consumers; another service's bucket needs its owner's grant), then redrive the message."
          : retryable
            ? 'It is tried again after its backoff.'
            : 'Redrive the message once the bucket can be read.'),
      { cause },
    );
    this.retryable = retryable;
  }
}

/** A payload over its destination's limit could not be stored in the payload bucket, so its message was not sent. */
export class PayloadStoreError extends PostboxError {
  readonly code = 'PAYLOAD_STORE_FAILED';

  constructor(
    readonly messageId: string,
    readonly pointer: PayloadPointer,
    cause: PostboxError,
  ) {
    super(
      `the payload of message ${messageId} could not be stored at ${payloadLocation(pointer)}, so the message was not sent: ${cause.message}. ` +
        "Check that the bucket exists and that the publisher's role may put objects in it (MessagingStack's grantPublish and grantSend grant it).",
      { cause },
    );
  }
}
