import { MessageError } from '../../../messages/message-errors.ts';

/** The idempotency record of a message could not be claimed: the handler is not run unguarded; the message is retried. */
export class IdempotencyStoreUnavailableError extends MessageError {
  readonly code = 'IDEMPOTENCY_STORE_UNAVAILABLE';
  readonly retryable = true;

  constructor(messageId: string, key: string, store: string, cause: unknown) {
    super(
      `Message ${messageId} was not handled: its idempotency record '${key}' could not be claimed in ${store} ` +
        `(${(cause as Error)?.message ?? String(cause)}). It stays on its queue and is retried; check the table exists and the consumer may write to it.`,
      { cause },
    );
  }
}

/** Another attempt is handling a message with the same key right now: this one comes back after its backoff. */
export class IdempotencyInProgressError extends MessageError {
  readonly code = 'IDEMPOTENCY_IN_PROGRESS';
  readonly retryable = true;
  /**
   * Seconds until the holder's lease runs out: the retry waits at least that long, so that a holder that crashed
   * (a killed worker, whose message comes back long before its lease ends) does not use up the message's receives
   * and send it to the DLQ unrun.
   */
  readonly retryAfterSeconds: number;

  constructor(messageId: string, key: string, leaseUntil: number, now: number = Date.now()) {
    super(
      `Message ${messageId} was not handled: another attempt holds its idempotency record '${key}' until ` +
        `${new Date(leaseUntil).toISOString()}. It is retried; once that attempt completes, this delivery is acknowledged unrun.`,
    );
    this.retryAfterSeconds = Math.max(0, Math.ceil((leaseUntil - now) / 1000));
  }
}

/** The handler map's key function threw or gave no key: the message cannot be handled once-only, so it is dead-lettered. */
export class IdempotencyKeyError extends MessageError {
  readonly code = 'IDEMPOTENCY_KEY_INVALID';
  readonly retryable = false;

  constructor(messageId: string, messageType: string, reason: string, cause?: unknown) {
    super(`Message ${messageId} of type '${messageType}' has no idempotency key: the key function ${reason}. Fix the key function of its handler, then redrive it.`, {
      cause,
    });
  }
}

/** The handler asked to write with its record, and the store cannot: the in-memory one of `postbox dev` without DynamoDB. */
export class IdempotencyEffectsUnsupportedError extends MessageError {
  readonly code = 'IDEMPOTENCY_EFFECTS_UNSUPPORTED';
  readonly retryable = true;

  constructor(key: string, store: string) {
    super(
      `The handler of '${key}' asked to write with its idempotency record (writeWithRecord), which ${store} cannot do; nothing was written and the message is retried. ` +
        'Run against an emulator with DynamoDB (POSTBOX_EMULATOR=moto, or moto installed beside fauxqs), or on AWS.',
    );
  }
}

/** The record and the handler's writes could not be committed: none of them was, and the message is retried. */
export class IdempotencyCommitError extends MessageError {
  readonly code = 'IDEMPOTENCY_COMMIT_FAILED';
  readonly retryable = true;

  constructor(messageId: string, key: string, store: string, writes: number, cause: unknown) {
    super(
      `Message ${messageId} was handled, but its transaction (the idempotency record '${key}' in ${store} and the handler's ${writes} write${writes === 1 ? '' : 's'}) ` +
        `could not be committed (${(cause as Error)?.message ?? String(cause)}); none of them was written, and the message is retried. ` +
        "A write on a table that does not exist, or that the consumer's role may not write, fails it so.",
      { cause },
    );
  }
}
