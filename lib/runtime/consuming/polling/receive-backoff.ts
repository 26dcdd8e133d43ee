import { fullJitterDelayMs } from '../../../retry/backoff.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ReceiveFailure } from './consumer-health.ts';

/** First wait after a failed receive, doubling with each failure of an outage. */
const BASE_MS = 100;
/** Longest wait between receives in an outage: one long poll. */
const CAP_MS = 20_000;

/**
 * Receives that fail (network, throttling, credentials) are retried with
 * exponential backoff and full jitter. An outage is logged once when it begins
 * and once when it ends, with its count, rather than once per failed receive.
 */
export class ReceiveBackoff {
  private failures = 0;
  private outageStartedAt = 0;
  private lastError = '';

  constructor(
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  /** In an outage, the consumer sends one receive at a time, as a probe. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** The outage under way, if receives are failing. */
  get failure(): ReceiveFailure | undefined {
    return this.failing ? { since: this.outageStartedAt, failures: this.failures, error: this.lastError } : undefined;
  }

  /** Counts a failed receive; resolves to how long to wait before the next. */
  failed(error: unknown): number {
    this.failures += 1;
    this.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (this.failures === 1) {
      this.outageStartedAt = Date.now();
      this.logger.error('receive failing; backing off exponentially until it recovers', { failures: 1, error });
    }
    return fullJitterDelayMs(this.failures, BASE_MS, CAP_MS, this.random);
  }

  succeeded(): void {
    if (this.failures === 0) return;
    this.logger.info('receive recovered', { failures: this.failures, outageMs: Date.now() - this.outageStartedAt });
    this.failures = 0;
  }
}
