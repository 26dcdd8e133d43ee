import { PostboxError } from '../postbox-error.ts';

/** What the `postbox` exit codes mean. */
export const ExitCode = {
  ok: 0,
  /** The command ran but part of its work failed (some messages not moved). */
  partialFailure: 1,
  /** Bad input: usage, a message that fails its schema, a refused confirmation. */
  invalidInput: 2,
  /** An unknown queue or message type, or a queue missing at the endpoint. */
  notFound: 3,
  /** The endpoint could not be reached, AWS refused the call, or this Node.js is too old to run Postbox. */
  unavailable: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one line, with its exit code. */
export class CliError extends PostboxError {
  readonly code = 'CLI_ERROR';

  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
  }
}
