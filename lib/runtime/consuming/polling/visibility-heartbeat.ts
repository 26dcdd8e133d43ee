import { capVisibilitySeconds } from '../../../retry/visibility-budget.ts';
import type { QueueActions } from '../queue-actions.ts';
import { VisibilityLostError } from './polling-errors.ts';

/** Shortest time between two extensions, whatever the visibility timeout. */
const MIN_INTERVAL_MS = 200;

export interface HeartbeatOptions {
  readonly messageId: string;
  readonly receiptHandle: string;
  /** When SQS first handed the message out (epoch ms): no visibility may end 12 h after it. */
  readonly receivedAt: number;
  /** Visibility each extension asks for. */
  readonly visibilityTimeoutSeconds: number;
  /** Visibility the message was received with. @default visibilityTimeoutSeconds */
  readonly receivedWithSeconds?: number;
  /** Called once when the visibility cannot be extended before it expires: SQS hands the message out again. */
  readonly onLost: (error: VisibilityLostError) => void;
  /** Called for a failed extension that can still be retried in time. */
  readonly onRetry?: (error: unknown) => void;
}

/**
 * Keeps a received message invisible while this process holds it: it extends
 * the visibility every third of the timeout, so a failed extension has two
 * more tries before the message shows again, and gives up (onLost) when no
 * try is left before expiry or the 12 hours SQS allows from receipt are spent.
 */
export class VisibilityHeartbeat {
  private receiptHandle: string;
  private visibleUntil: number;
  private timer: NodeJS.Timeout | undefined;
  private extending: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly actions: Pick<QueueActions, 'changeVisibility'>,
    private readonly options: HeartbeatOptions,
  ) {
    this.receiptHandle = options.receiptHandle;
    const receivedWith = options.receivedWithSeconds ?? options.visibilityTimeoutSeconds;
    this.visibleUntil = Date.now() + receivedWith * 1000;
    this.schedule(receivedWith);
  }

  /** SQS handed the message out again to this process: only the newest receipt handle counts. */
  adopt(receiptHandle: string): void {
    this.receiptHandle = receiptHandle;
    this.visibleUntil = Date.now() + (this.options.receivedWithSeconds ?? this.options.visibilityTimeoutSeconds) * 1000;
  }

  /** Stops extending; resolves once an extension under way has returned, so none lands after. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.extending;
  }

  private schedule(seconds: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => (this.extending = this.extend()), Math.max(MIN_INTERVAL_MS, (seconds * 1000) / 3));
  }

  private async extend(): Promise<void> {
    const askedAt = Date.now();
    const seconds = capVisibilitySeconds(this.options.visibilityTimeoutSeconds, this.options.receivedAt, askedAt);
    if (seconds <= 0) return this.lose(new VisibilityLostError(this.options.messageId, 'the 12 hours SQS allows from its receipt are spent'));
    try {
      await this.actions.changeVisibility(this.receiptHandle, seconds);
      this.visibleUntil = askedAt + seconds * 1000;
      this.schedule(seconds);
    } catch (error) {
      if (this.stopped) return;
      const nextTry = Date.now() + Math.max(MIN_INTERVAL_MS, (seconds * 1000) / 3);
      if (nextTry >= this.visibleUntil) return this.lose(new VisibilityLostError(this.options.messageId, (error as Error)?.message ?? String(error), error));
      this.options.onRetry?.(error);
      this.schedule(seconds);
    }
  }

  private lose(error: VisibilityLostError): void {
    if (this.stopped) return;
    this.stopped = true;
    this.options.onLost(error);
  }
}
