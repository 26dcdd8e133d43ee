import type { MessageError } from '../messages/message-errors.ts';
import { PostboxError } from '../postbox-error.ts';

/** One or more messages of a batch failed validation; none of the batch was sent. */
export class BatchValidationError extends PostboxError {
  readonly code = 'BATCH_INVALID';

  constructor(readonly failures: ReadonlyArray<{ readonly index: number; readonly error: MessageError }>) {
    super(
      `Nothing was sent: ${failures.length} message(s) of the batch are invalid:\n` +
        failures.map(({ index, error }) => `  - [${index}] ${error.message}`).join('\n'),
    );
  }
}

/** SNS or SQS did not take a message, after retries where they could help. */
export class DeliveryError extends PostboxError {
  readonly code = 'DELIVERY_FAILED';

  constructor(
    readonly messageId: string,
    readonly messageType: string,
    readonly destination: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Message ${messageId} of type '${messageType}' was not delivered to ${destination}: ${reason}`, options);
  }
}

/** A destination of the topology could not be found where the publisher looked. */
export class DestinationNotFoundError extends PostboxError {
  readonly code = 'DESTINATION_NOT_FOUND';

  constructor(readonly destination: string, hint: string) {
    super(`${destination} does not exist at this endpoint; ${hint}.`);
  }
}
