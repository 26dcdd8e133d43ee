import type { Envelope } from '../../../messages/envelope.ts';
import type { AnyTopology } from '../../../messages/message-types.ts';
import type { MessageHandler, MessageHandlers } from '../handler-context.ts';
import { idempotent, idempotentOptionsOf } from '../idempotency/idempotent-handler.ts';
import { InMemoryJobLock, type JobLock } from './job-lock.ts';
import { JobLockedError } from '../polling/polling-errors.ts';

/** At most one message with the same job key runs at a time. */
export interface UniqueJobs {
  /** The job key of a message; undefined for messages that are not unique. */
  readonly key: (message: Envelope) => string | undefined;
  /**
   * A second message with a held key waits (comes back after the backoff) or is skipped (deleted).
   * The redelivery of the message that holds the key is neither: it takes its own lock back and runs.
   */
  readonly policy: 'wait' | 'skip';
  /** @default an in-memory lock: unique within this process (`runWorkers` gives a DynamoDbJobLock when it knows a lock table) */
  readonly lock?: JobLock;
}

/** Wraps each handler so that messages with a held job key wait or are skipped. */
export function withUniqueJobs<T extends AnyTopology>(handlers: MessageHandlers<T>, unique: UniqueJobs): MessageHandlers<T> {
  const lock = unique.lock ?? new InMemoryJobLock();
  const wrap = (handler: MessageHandler<any>): MessageHandler<any> => async (message, context) => {
    const key = unique.key(message);
    if (key === undefined) return handler(message, context);
    // Owned by the SQS message id: a redelivery of this very message takes its lock back and runs.
    const owner = context.messageId;
    if (!(await lock.tryAcquire(key, owner))) {
      if (unique.policy === 'wait') throw new JobLockedError(key);
      context.logger.info('skipped: another message with the same job key is running', { jobKey: key });
      return undefined;
    }
    try {
      return await handler(message, context);
    } finally {
      // Failing the job because its lock could not be released would run it again; the lock tries on in the background.
      await Promise.resolve(lock.release(key, owner)).catch((error: unknown) =>
        context.logger.warn('could not release the job lock; it is released when its store answers, at the latest when its lease runs out', {
          jobKey: key,
          error,
        }),
      );
    }
  };
  return Object.fromEntries(
    // A handler's idempotent() options (its key) stay with it inside the lock.
    Object.entries(handlers as Record<string, MessageHandler<any> | undefined>).map(([type, handler]) => {
      const options = idempotentOptionsOf(handler);
      return [type, handler && (options ? idempotent(wrap(handler), options) : wrap(handler))];
    }),
  ) as MessageHandlers<T>;
}
