import { PostboxError } from '../postbox-error.ts';

/** The emulator's server is not installed in the project. */
export class EmulatorNotInstalledError extends PostboxError {
  readonly code = 'EMULATOR_NOT_INSTALLED';

  constructor(readonly executable: string) {
    super(`The AWS emulator is not installed (no ${executable}). Run 'npm run emulator:install' and try again.`);
  }
}

/** The running Node.js is older than Postbox supports. */
export class NodeTooOldError extends PostboxError {
  readonly code = 'NODE_TOO_OLD';

  constructor(
    readonly version: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** The emulator's server did not start or did not answer in time. */
export class EmulatorStartError extends PostboxError {
  readonly code = 'EMULATOR_START_FAILED';

  constructor(reason: string, readonly output: string) {
    super(`The AWS emulator did not start: ${reason}.${output ? `\nIts last output:\n${output}` : ''}`);
  }
}

/** The local event source could not look up its queue's ARN; it received nothing and tries again on its next poll. */
export class QueueArnLookUpError extends PostboxError {
  readonly code = 'QUEUE_ARN_LOOK_UP_FAILED';

  constructor(
    readonly queueUrl: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Could not look up the ARN of queue ${queueUrl} (${reason}); no message was received, and the local event source tries again on its next poll.`, options);
  }
}

/** The console's port is taken, most likely by another `postbox dev`. */
export class ConsolePortInUseError extends PostboxError {
  readonly code = 'CONSOLE_PORT_IN_USE';

  constructor(
    readonly port: number,
    cause: unknown,
  ) {
    super(`port ${port} of the console is in use (another postbox dev?); pass --console-port 0 for any free port, set dev.consolePort in postbox.config.ts, or stop the other one`, { cause });
  }
}

/** The console was asked for the journey of a message the local system has not seen, or has forgotten. */
export class JourneyNotFoundError extends PostboxError {
  readonly code = 'JOURNEY_NOT_FOUND';

  constructor(
    readonly messageId: string,
    capacity: number,
  ) {
    super(`No journey of message ${messageId}: it is not among the last ${capacity} messages this local system saw. Search by its type or a text in its data to find it.`);
  }
}
