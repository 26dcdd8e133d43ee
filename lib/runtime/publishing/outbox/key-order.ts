/**
 * Hands out records in rounds, one per aggregate key per round, in the order given: a key's next record comes only
 * after its previous one was settled. A key that failed is blocked: its later records are not handed out, and end
 * in `unsettled()` with it, so that they are tried again after it and never before it.
 */
export class KeyOrder<T> {
  private readonly queues = new Map<string, T[]>();
  private readonly blocked = new Set<string>();
  private readonly failed = new Set<T>();

  constructor(
    private readonly records: readonly T[],
    private readonly keyOf: (record: T) => string,
  ) {
    for (const record of records) {
      const key = keyOf(record);
      const queue = this.queues.get(key);
      if (queue) queue.push(record);
      else this.queues.set(key, [record]);
    }
  }

  /** The next record of every key not blocked that has one left; empty once none has. */
  next(): T[] {
    const round: T[] = [];
    for (const [key, queue] of this.queues) {
      if (this.blocked.has(key)) continue;
      const head = queue.shift();
      if (head === undefined) this.queues.delete(key);
      else round.push(head);
    }
    return round;
  }

  /** A record handed out could not be settled: its key stops here. */
  fail(record: T): void {
    this.failed.add(record);
    this.blocked.add(this.keyOf(record));
  }

  /** The records that failed, and those not handed out (behind a failure, or never reached), in the order given. */
  unsettled(): T[] {
    const left = new Set([...this.queues.values()].flat());
    return this.records.filter((record) => this.failed.has(record) || left.has(record));
  }
}
