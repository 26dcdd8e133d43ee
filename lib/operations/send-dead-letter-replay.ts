import type { OutboxRelay, RelayReport } from '../runtime/publishing/outbox/outbox-relay.ts';
import type { SendDeadLetter } from '../runtime/publishing/outbox/outbox-store.ts';

export interface ReplayReport extends RelayReport {
  /** Ids asked for that the send dead-letter does not hold. */
  readonly missing: readonly string[];
}

/**
 * Sends the send dead-letter's records again (only `ids`, when given), through the relay: a record sent leaves the
 * dead-letter, one that fails again stays with its new reason. Nothing is sent if an id asked for is not there.
 */
export async function replaySendDeadLetters(deadLetter: SendDeadLetter, relay: OutboxRelay, ids?: readonly string[]): Promise<ReplayReport> {
  const records = await deadLetter.deadLetters(ids ? { ids } : {});
  const found = new Set(records.map((record) => record.id));
  const missing = (ids ?? []).filter((id) => !found.has(id));
  if (missing.length > 0) return { sent: [], deadLettered: [], unsettled: [], problems: [], missing };
  return { ...(await relay.relay(records)), missing };
}
