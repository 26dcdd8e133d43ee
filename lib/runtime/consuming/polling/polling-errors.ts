import { MessageError } from '../../../messages/message-errors.ts';
import { PostboxError } from '../../../postbox-error.ts';

/** A task ran past its time limit and was abandoned; it is retried later. */
export class TaskTimeoutError extends MessageError {
  readonly code = 'TASK_TIMEOUT';
  readonly retryable = true;

  constructor(
    readonly messageId: string,
    readonly timeoutSeconds: number,
  ) {
    super(`Message ${messageId} was still running after its time limit of ${timeoutSeconds} s; it was abandoned and will be retried.`);
  }
}

/** Another task holds the lock of this job's key; the message waits and comes back later. */
export class JobLockedError extends MessageError {
  readonly code = 'JOB_LOCKED';
  readonly retryable = true;

  constructor(readonly jobKey: string) {
    super(`Job '${jobKey}' is already running; this message waits and comes back after the backoff.`);
  }
}

/** SQS refused to delete a handled message; it comes back after its visibility timeout and is handled again. */
export class DeleteFailedError extends PostboxError {
  readonly code = 'DELETE_FAILED';

  constructor(
    readonly queueName: string,
    readonly reason: string,
  ) {
    super(`Queue ${queueName} did not delete a handled message (${reason}); it comes back after its visibility timeout and is handled again, so handlers must be idempotent.`);
  }
}

/** The shared job lock could not be read or written; the message is retried after its backoff. */
export class JobLockUnavailableError extends MessageError {
  readonly code = 'JOB_LOCK_UNAVAILABLE';
  readonly retryable = true;

  constructor(
    readonly jobKey: string,
    readonly tableName: string,
    cause: unknown,
  ) {
    super(
      `Could not take the lock of job '${jobKey}' in table ${tableName} (${(cause as Error)?.name ?? 'Error'}: ${(cause as Error)?.message ?? String(cause)}); ` +
        'the message is retried after its backoff. Check that the table exists and that the worker may write to it.',
      { cause },
    );
  }
}

/** A running task's visibility could not be extended before it expired: SQS hands the message out again, so this process lets it go. */
export class VisibilityLostError extends PostboxError {
  readonly code = 'VISIBILITY_LOST';

  constructor(
    readonly messageId: string,
    reason: string,
    cause?: unknown,
  ) {
    super(
      `The visibility of message ${messageId} could not be extended before it expired (${reason}); its task was abandoned and SQS hands the message out again. ` +
        'Check that the worker may call sqs:ChangeMessageVisibility and reach SQS, or split tasks that run for 12 hours.',
      { cause },
    );
  }
}

/** The consumer's `prefetch` option is not a whole number of messages of 0 or more. */
export class InvalidPrefetchError extends PostboxError {
  readonly code = 'INVALID_PREFETCH';

  constructor(
    readonly queue: string,
    readonly prefetch: unknown,
  ) {
    super(
      `The polling consumer of queue ${queue} was given prefetch ${JSON.stringify(prefetch) ?? String(prefetch)}; ` +
        'it must be a whole number of 0 or more (0, the default, reads nothing ahead). Fix the option where the consumer or worker is defined.',
    );
  }
}
