import { PostboxError } from '../../postbox-error.ts';

/** What stays true when Postbox cannot dead-letter a message itself. */
const STAYS = 'it stays on its queue, and its redrive policy moves it to the dead-letter queue after maxReceiveCount receives';

/** The dead-letter copy (body, producer attributes and failure record) is larger than the dead-letter queue accepts. */
export class DeadLetterTooLargeError extends PostboxError {
  readonly code = 'DEAD_LETTER_TOO_LARGE';

  constructor(
    readonly messageId: string,
    readonly queueName: string,
    readonly deadLetterQueueName: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `Message ${messageId} of queue ${queueName} cannot be dead-lettered: its copy with the failure record is ${sizeBytes} bytes, ` +
        `over the ${limitBytes} bytes dead-letter queue ${deadLetterQueueName} accepts; ${STAYS}. ` +
        `Raise the dead-letter queue's MaximumMessageSize (up to 1,048,576) to keep the failure record with it.`,
    );
  }
}

/** SQS refused the dead-letter copy, or could not be reached. */
export class DeadLetterFailedError extends PostboxError {
  readonly code = 'DEAD_LETTER_FAILED';

  constructor(
    readonly messageId: string,
    readonly queueName: string,
    readonly deadLetterQueueName: string,
    cause: unknown,
  ) {
    super(
      `Message ${messageId} of queue ${queueName} could not be sent to dead-letter queue ${deadLetterQueueName} ` +
        `(${(cause as Error)?.name ?? 'Error'}: ${(cause as Error)?.message ?? String(cause)}); ${STAYS}. ` +
        'Check that the dead-letter queue exists and that this consumer may send to it.',
      { cause },
    );
  }
}
