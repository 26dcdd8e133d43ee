/**
 * A lock per job key, held while a job runs, by the SQS message id of the job
 * (its owner). The owner may take its own lock again: the redelivery of a job
 * whose first attempt crashed or timed out holding it must run, not be skipped
 * as a duplicate of itself. The in-memory lock serves one worker process;
 * several workers need a shared lock (a DynamoDB conditional write, say) behind
 * the same interface, or a FIFO queue whose message group is the job key,
 * which SQS itself never delivers to two consumers at once.
 */
export interface JobLock {
  /** True when `owner` (the message id) now holds the key: it was free, or already `owner`'s. */
  tryAcquire(key: string, owner: string): boolean | Promise<boolean>;
  /** Gives back what this attempt of `owner` took; an attempt that no longer holds the key frees nothing. */
  release(key: string, owner: string): void | Promise<void>;
}

export class InMemoryJobLock implements JobLock {
  /** The owner of each held key and how many of its attempts hold it. */
  private readonly held = new Map<string, { owner: string; holds: number }>();

  tryAcquire(key: string, owner: string): boolean {
    const current = this.held.get(key);
    if (current === undefined) this.held.set(key, { owner, holds: 1 });
    else if (current.owner === owner) current.holds += 1;
    else return false;
    return true;
  }

  release(key: string, owner: string): void {
    const current = this.held.get(key);
    if (current?.owner !== owner) return;
    current.holds -= 1;
    if (current.holds === 0) this.held.delete(key);
  }
}
