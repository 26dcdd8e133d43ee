import { MAX_MESSAGE_ATTRIBUTES, stringAttributes, type MessageAttributes } from '../../../messages/message-attributes.ts';
import { POSTBOX_ATTRIBUTE_PREFIX } from '../../../messages/wire-contract.ts';
import type { ResolvedQueue } from '../../../topology/resolve-topology.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ReceivedMessage } from '../message-processor.ts';
import type { QueueActions } from '../queue-actions.ts';

/** How many times a message has been sent again at a stop; a dead-letter copy drops it with the other `postbox.*`. */
export const STOP_COPIES_ATTRIBUTE = `${POSTBOX_ATTRIBUTE_PREFIX}stopCopies`;

/**
 * The SQS message id of the message a stop copy was made of (the first, through copies of copies): the handler's
 * `context.messageId`, so that a copy is the same message to what it owns (a unique job's lock taken by the stopped
 * attempt is taken back by its copy, as by a plain redelivery).
 */
export const STOP_COPY_OF_ATTRIBUTE = `${POSTBOX_ATTRIBUTE_PREFIX}copyOf`;

/**
 * Sent again at most this many times: a job stopped every time it runs (a handler that outlives every grace period)
 * gets at most (MAX_STOP_COPIES + 1) x maxReceiveCount receives, then is dead-lettered as a job without a result.
 */
export const MAX_STOP_COPIES = 3;

/**
 * A stop (scale-in past the task's protection, a deploy, a Spot interruption, Ctrl-C) gives its unfinished messages
 * back, and SQS has counted each of their receives: a long job stopped often enough would be dead-lettered without
 * ever failing. So a message of a standard queue whose next receive would be past its last attempt is not released
 * but sent again as a copy (same body and attributes, plus a count of such copies) and the original deleted: the copy
 * starts with a fresh receive count, and so with fresh attempts.
 *
 * The limit is the topology's maxReceiveCount, the one the processor dead-letters on (the redrive policy's is one
 * more): known without a GetQueueAttributes call at start. FIFO queues keep a plain release: a copy would go to the
 * back of its message group, behind messages sent after it, and their order matters more than the receive count.
 */
export class StopCopies {
  constructor(
    private readonly actions: Pick<QueueActions, 'sendCopy' | 'deleteBatch'>,
    private readonly queue: Pick<ResolvedQueue, 'fifo' | 'maxReceiveCount' | 'name'>,
    private readonly logger: Logger,
  ) {}

  /**
   * Sends again those of `messages` that need it (see the class) and hands the rest to `release`; a message whose
   * copy could not be sent is released too.
   */
  async release(messages: readonly ReceivedMessage[], release: (messages: readonly ReceivedMessage[]) => Promise<void>): Promise<void> {
    const copied = await Promise.all(messages.map((message) => this.sendAgain(message)));
    await release(messages.filter((_, index) => !copied[index]));
  }

  /** Sends a copy and deletes the original when the message needs it; resolves to whether it did (the original is gone). */
  async sendAgain(message: ReceivedMessage): Promise<boolean> {
    const attributes = this.copyAttributes(message);
    if (!attributes) return false;
    const fields = { messageId: message.messageId, receiveCount: message.receiveCount, stopCopies: attributes[STOP_COPIES_ATTRIBUTE]!.StringValue };
    try {
      await this.actions.sendCopy(message, attributes);
    } catch (error) {
      this.logger.warn('could not send a stopped message again; released instead, its receive count stands', { ...fields, error });
      return false;
    }
    const failed = await this.actions.deleteBatch([message.receiptHandle]).catch((error: unknown) => [{ reason: String(error) }]);
    if (failed.length > 0) {
      this.logger.warn('sent a stopped message again but could not delete the original; it returns after its visibility timeout and may run twice', {
        ...fields,
        reason: failed[0]!.reason,
      });
    } else {
      this.logger.info('sent a stopped message again so that the stop does not count as an attempt', fields);
    }
    return true;
  }

  /** The copy's attributes, or undefined when the message is to be released as it is. */
  private copyAttributes(message: ReceivedMessage): MessageAttributes | undefined {
    if (this.queue.fifo || message.receiveCount < this.queue.maxReceiveCount) return undefined;
    const original = message.messageAttributes ?? stringAttributes(message.attributes);
    const copies = Number(original[STOP_COPIES_ATTRIBUTE]?.StringValue ?? 0) || 0;
    if (copies >= MAX_STOP_COPIES) {
      this.logger.warn('a message stopped unfinished again and again is released, not sent again: its next receive may dead-letter it', {
        messageId: message.messageId,
        receiveCount: message.receiveCount,
        stopCopies: copies,
      });
      return undefined;
    }
    const attributes = {
      ...original,
      [STOP_COPIES_ATTRIBUTE]: { DataType: 'Number', StringValue: String(copies + 1) },
      [STOP_COPY_OF_ATTRIBUTE]: { DataType: 'String', StringValue: original[STOP_COPY_OF_ATTRIBUTE]?.StringValue ?? message.messageId },
    };
    if (Object.keys(attributes).length > MAX_MESSAGE_ATTRIBUTES) {
      this.logger.warn('a stopped message has no room for the copy\'s attributes; released, not sent again: its next receive may dead-letter it', {
        messageId: message.messageId,
        receiveCount: message.receiveCount,
      });
      return undefined;
    }
    return attributes;
  }
}
