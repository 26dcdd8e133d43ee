import { PostboxError } from '../../../postbox-error.ts';

/** The transaction of an outbox write was not committed: neither the business change nor its messages were written. */
export class OutboxTransactionFailedError extends PostboxError {
  readonly code = 'OUTBOX_TRANSACTION_FAILED';

  constructor(
    readonly table: string,
    /** Why each item of the transaction was refused, by its index in the transaction (`None` when it was not the cause). */
    readonly reasons: readonly string[],
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`The outbox transaction was not committed, so nothing was written and no message will be published (outbox table ${table}): ${detail}`, options);
  }
}

/** An outbox write was refused before any call: too many items for one transaction. */
export class OutboxWriteInvalidError extends PostboxError {
  readonly code = 'OUTBOX_WRITE_INVALID';

  constructor(problem: string) {
    super(`Nothing was written: ${problem}`);
  }
}

/** The outbox's store could not be read or written. */
export class OutboxStoreUnavailableError extends PostboxError {
  readonly code = 'OUTBOX_STORE_UNAVAILABLE';

  constructor(where: string, action: string, cause: unknown) {
    super(`Could not ${action} in ${where}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The outbox table does not exist where it was looked for. */
export class OutboxTableNotFoundError extends PostboxError {
  readonly code = 'OUTBOX_TABLE_NOT_FOUND';

  constructor(readonly table: string, options?: ErrorOptions) {
    super(
      `outbox table ${table} does not exist at this endpoint; deploy the stack with the outbox prop (MessagingStack outbox: true), or create it at an emulator with provisionOutboxTable`,
      options,
    );
  }
}

/** The outbox relay was started without what it needs. */
export class OutboxConfigurationError extends PostboxError {
  readonly code = 'OUTBOX_CONFIG_INVALID';
}

/** A line of a JSON-lines send dead-letter is not a record: bad input, which the file's owner fixes. */
export class SendDeadLetterFileInvalidError extends PostboxError {
  readonly code = 'SEND_DEAD_LETTER_FILE_INVALID';

  constructor(path: string, line: number, reason: string) {
    super(`send dead-letter file ${path}: line ${line} ${reason}; fix or remove that line (the others are kept as they are), then try again.`);
  }
}
