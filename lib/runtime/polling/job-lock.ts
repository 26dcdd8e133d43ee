/**
 * A lock per job key, held while a job runs. The in-memory lock serves one
 * worker process; several workers need a shared lock (a DynamoDB conditional
 * write, say) behind the same interface, or a FIFO queue whose message group
 * is the job key, which SQS itself never delivers to two consumers at once.
 */
export interface JobLock {
  /** True when the caller now holds the key. */
  tryAcquire(key: string): boolean | Promise<boolean>;
  release(key: string): void | Promise<void>;
}

export class InMemoryJobLock implements JobLock {
  private readonly held = new Set<string>();

  tryAcquire(key: string): boolean {
    if (this.held.has(key)) return false;
    this.held.add(key);
    return true;
  }

  release(key: string): void {
    this.held.delete(key);
  }
}
