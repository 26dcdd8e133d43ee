import { PostboxError } from '../../postbox-error.ts';

/**
 * The handlers given do not match the topology, wherever they are given (a Lambda handler's, a polling consumer's,
 * `runWorkers`' map): a queue the topology lacks, a message type without a handler, a handler for a type that never
 * arrives, a worker queue without handlers. Thrown when the consumer is made, never per message.
 */
export class HandlerConfigurationError extends PostboxError {
  readonly code = 'HANDLER_CONFIGURATION_INVALID';

  constructor(
    /** What the handlers were given for: `queue 'billing'`, `the workers of topology 'orders'`. */
    readonly subject: string,
    readonly problems: readonly string[],
  ) {
    super(`The handlers of ${subject} do not match the topology: ${problems.join('; ')}.`);
  }
}
