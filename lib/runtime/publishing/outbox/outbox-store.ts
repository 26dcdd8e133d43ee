import type { OutboxRecord } from './outbox-record.ts';

/**
 * Where sends that could not be made are kept, with their reason, until a replay sends them: the outbox table,
 * a JSON-lines file for scripts, or a store of your own. `postbox outbox show` lists it and `postbox outbox replay`
 * empties it; a `Publisher` given one (`sendDeadLetter`) keeps there what `publishMany` and `sendMany` could not send.
 */
export interface SendDeadLetter {
  /** Keeps these records (status `dead-lettered`, with `reason`); a record already kept under the same id is replaced. */
  deadLetter(records: readonly OutboxRecord[]): Promise<void>;
  /** The records kept, oldest first; only `ids` when given. */
  deadLetters(options?: { readonly ids?: readonly string[]; readonly max?: number }): Promise<OutboxRecord[]>;
  /** Forgets records that were sent: the relay's pending ones, or dead letters a replay sent. */
  markSent(records: readonly OutboxRecord[]): Promise<void>;
}

/**
 * An outbox: the records a service wrote in the same transaction as its business change, until the relay sends
 * them. `DynamoDbOutboxStore` is the one shipped. A service whose data lives elsewhere (PostgreSQL, say) implements
 * this over a table of its own, writes the records (`Publisher.serialize`) in its own transactions, and runs an
 * `OutboxPoller` on its store; see docs/outbox.md.
 *
 * The relay's guarantees rest on three rules: `pending` returns only records whose transaction committed; a record
 * leaves the pending ones only by `markSent` or `deadLetter`, after its send; and `pending` lists the records of one
 * aggregate key in `position` order.
 */
export interface OutboxStore extends SendDeadLetter {
  /** Up to `max` pending records, oldest `position` first. */
  pending(max: number): Promise<OutboxRecord[]>;
  /**
   * Of these records, those the store still holds as pending, read consistently. A change stream hands a batch
   * again when part of it failed; what an earlier attempt sent is skipped, not sent twice. @default all of them
   */
  stillPending?(records: readonly OutboxRecord[]): Promise<OutboxRecord[]>;
}
