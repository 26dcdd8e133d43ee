/** When the breaker opens and how long it stays open before it lets one delivery try. */
export interface CircuitBreakerSettings {
  /** Failures in a row (the endpoint unavailable) that open it. */
  readonly failuresToOpen: number;
  /** How long it stays open before one delivery tries again. */
  readonly openSeconds: number;
}

/**
 * Closed: deliveries go. After `failuresToOpen` unavailable answers in a row it opens: deliveries wait instead of
 * failing, so a worker's slots fill with waiting messages (their visibility kept by the heartbeat) and it receives no
 * more, and no message spends its receives on an endpoint that is down. After `openSeconds` one delivery tries
 * (half-open): its success closes the breaker and lets every waiting one go, its failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.settings.failuresToOpen) return 'closed';
    return this.probing || this.now() >= this.openUntil ? 'half-open' : 'open';
  }

  /**
   * Resolves when this delivery may go: at once while closed; while open, when it is the half-open probe or the
   * breaker has closed. Rejects with the signal's reason when the task is given up while it waits.
   */
  async admit(signal?: AbortSignal): Promise<void> {
    while (this.failures >= this.settings.failuresToOpen) {
      if (!this.probing && this.now() >= this.openUntil) {
        this.probing = true;
        return;
      }
      await this.waitForChange(signal);
    }
  }

  succeeded(): void {
    this.failures = 0;
    this.probing = false;
    this.wake();
  }

  failed(): void {
    this.failures += 1;
    this.probing = false;
    if (this.failures >= this.settings.failuresToOpen) {
      this.openUntil = this.now() + this.settings.openSeconds * 1000;
      // Waiters look again when the breaker may let a probe through.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.wake(), this.settings.openSeconds * 1000);
      this.timer.unref();
    }
    this.wake();
  }

  /** A delivery that ended with no answer to count (its task given up): a probe lets the next one try. */
  abandoned(): void {
    this.probing = false;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private waitForChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}
