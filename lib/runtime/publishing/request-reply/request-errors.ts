import { PostboxError } from '../../../postbox-error.ts';

/** No reply came within the request's timeout; a reply that comes later is dropped and counted. */
export class RequestTimeoutError extends PostboxError {
  readonly code = 'REQUEST_TIMED_OUT';

  constructor(
    readonly requestId: string,
    readonly messageType: string,
    readonly timeoutSeconds: number,
  ) {
    super(
      `Request ${requestId} ('${messageType}') got no reply within ${timeoutSeconds} s. The command was sent and may still be handled: ` +
        'its reply is then dropped. Give it a longer timeoutSeconds, or look at its handler (postbox tail, its dead-letter queue).',
    );
  }
}

/** The handler could not handle the request: it was dead-lettered, or its reply was invalid. */
export class RequestFailedError extends PostboxError {
  readonly code = 'REQUEST_FAILED';

  constructor(
    readonly requestId: string,
    readonly messageType: string,
    /** The error code of the handler's failure (`SCHEMA_VALIDATION_FAILED`, `RETRIES_EXHAUSTED`, ...). */
    readonly failureCode: string,
    failure: string,
  ) {
    super(`Request ${requestId} ('${messageType}') failed in its handler and was dead-lettered: ${failure}`);
  }
}

/** A request made before `start()` or after `stop()`. */
export class RequesterNotRunningError extends PostboxError {
  readonly code = 'REQUESTER_NOT_RUNNING';

  constructor(what: string) {
    super(`The requester is not running: ${what}. Call start() first (it makes the reply queue), and request before stop().`);
  }
}
