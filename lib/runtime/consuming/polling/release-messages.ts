import type { Logger } from '../../observability/logger.ts';
import type { QueueActions } from '../queue-actions.ts';
import type { ReceivedMessage } from '../message-processor.ts';

/**
 * Gives messages back to their queue at once (visibility 0), 10 a request, so
 * another consumer gets them now. One that cannot be released is logged and
 * returns after its visibility timeout.
 */
export async function releaseMessages(
  actions: Pick<QueueActions, 'changeVisibilityBatch'>,
  logger: Logger,
  queueName: string,
  messages: readonly ReceivedMessage[],
): Promise<void> {
  const batches: ReceivedMessage[][] = [];
  for (let i = 0; i < messages.length; i += 10) batches.push(messages.slice(i, i + 10));
  await Promise.all(
    batches.map(async (batch) => {
      const failed = await actions.changeVisibilityBatch(batch.map((message) => message.receiptHandle), 0).catch((error: unknown) =>
        batch.map((message) => ({ receiptHandle: message.receiptHandle, reason: (error as Error)?.message ?? String(error) })),
      );
      for (const { reason } of failed) logger.warn('could not release a message at stop; it returns after its visibility timeout', { queue: queueName, reason });
    }),
  );
}
