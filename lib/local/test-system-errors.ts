import { PostboxError } from '../postbox-error.ts';

/** `TestSystem.waitFor` gave up: the message did not reach an end on every queue it waited on in time. */
export class WaitTimeoutError extends PostboxError {
  readonly code = 'WAIT_TIMED_OUT';

  constructor(
    readonly messageId: string,
    readonly waitingOn: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/** A test system cannot start as asked. */
export class TestSystemError extends PostboxError {
  readonly code = 'TEST_SYSTEM_INVALID';
}
