import type { PublishReport } from '../publisher.ts';
import { SendDeadLetterError } from '../publish-errors.ts';
import type { Prepared } from '../publish-requests.ts';
import { deadLettered, outboxRecordOf } from './outbox-record.ts';
import type { SendDeadLetter } from './outbox-store.ts';

/**
 * Keeps the messages of a batch that failed after their retries in the send dead-letter, with their reasons; throws
 * SendDeadLetterError, naming them, if it cannot, so that none is dropped silently.
 */
export async function keepUnsent(
  deadLetter: SendDeadLetter,
  prepared: readonly Prepared[],
  report: PublishReport,
  storePayload: (message: Prepared) => Promise<void>,
): Promise<PublishReport> {
  const now = new Date();
  const failed = report.results.filter((result) => result.status === 'failed');
  const records = failed.map((result) => deadLettered(outboxRecordOf(prepared[result.index]!, undefined, now, result.index), result.error!.reason, result.attempts, now));
  try {
    // A kept pointer must find its payload when it is replayed: stored (again: storing it may be what failed) first.
    await Promise.all(failed.map((result) => prepared[result.index]!).filter((message) => message.payload).map(storePayload));
    await deadLetter.deadLetter(records);
  } catch (error) {
    throw new SendDeadLetterError(failed.map((result) => result.id), report, error);
  }
  return { ...report, deadLettered: records.length };
}
