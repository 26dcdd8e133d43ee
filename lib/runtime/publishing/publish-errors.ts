import { MessageError } from '../../messages/message-errors.ts';
import { PostboxError } from '../../postbox-error.ts';

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

/**
 * A destination of the topology (a topic or a queue) could not be found where the publisher looked; the AWS
 * boundary's QueueDoesNotExistError is its cause when a queue lookup said so.
 */
export class DestinationNotFoundError extends PostboxError {
  readonly code = 'DESTINATION_NOT_FOUND';

  constructor(readonly destination: string, hint: string, cause?: unknown) {
    super(`${destination} does not exist at this endpoint; ${hint}.`, cause === undefined ? undefined : { cause });
  }
}

/** A destination's address could not be made from the naming scheme: its account or region is unknown or unusable. */
export class DestinationAddressError extends PostboxError {
  readonly code = 'DESTINATION_ADDRESS_UNKNOWN';

  constructor(readonly destination: string, reason: string) {
    super(`The address of ${destination} cannot be made: ${reason}. Pass the publisher's account and region, or the address itself in routes.`);
  }
}

/** The publisher was made with options no message could be sent with. */
export class PublisherOptionsError extends PostboxError {
  readonly code = 'PUBLISHER_OPTIONS_INVALID';

  constructor(readonly problems: readonly string[]) {
    super(`The publisher cannot be made: ${problems.join('; ')}.`);
  }
}

/**
 * A message's publish options that SNS/SQS would refuse, that consumers would
 * refuse after it was reported sent, or that its destination would ignore.
 */
export class InvalidPublishOptionsError extends MessageError {
  readonly code = 'INVALID_PUBLISH_OPTIONS';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly messageType: string,
    readonly problems: readonly string[],
  ) {
    super(`Message ${messageId === '' ? 'with an empty id' : messageId} of type '${messageType}' was not sent: ${problems.join('; ')}.`);
  }
}

/** Two messages of one batch that their destination, or their consumers, would take for one. */
export class DuplicateMessageError extends MessageError {
  readonly code = 'DUPLICATE_MESSAGE';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly messageType: string,
    reason: string,
  ) {
    super(`Message ${messageId} of type '${messageType}' ${reason}.`);
  }
}

/** Messages that could not be sent could not be kept in the send dead-letter either: they are in `report` only. */
export class SendDeadLetterError extends PostboxError {
  readonly code = 'SEND_DEAD_LETTER_FAILED';

  constructor(
    readonly messageIds: readonly string[],
    /** What was sent and what failed. */
    readonly report: { readonly sent: number; readonly failed: number },
    cause: unknown,
  ) {
    super(
      `${messageIds.length} message(s) failed to send and could not be kept in the send dead-letter (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `they were not sent: ${messageIds.join(', ')}. Send them again, or fix the dead-letter store`,
      { cause },
    );
  }
}

/** A message was to be delivered later, but this publisher has nothing to schedule it with. */
export class SchedulingNotConfiguredError extends PostboxError {
  readonly code = 'SCHEDULING_NOT_CONFIGURED';

  constructor() {
    super(
      'Cannot schedule a message for later: this publisher has no scheduler. Turn on `schedules: true` in postbox.config.ts ' +
        '(MessagingStack prop `schedules`), which gives functions and tasks POSTBOX_SCHEDULE_GROUP, POSTBOX_SCHEDULER_ROLE_ARN and ' +
        'POSTBOX_SCHEDULER_DLQ_ARN, and grant the publisher with `stack.grantSchedule(role)`; or give the Publisher a `scheduler`. Nothing was sent.',
    );
  }
}
