import { PostboxError } from '../../../postbox-error.ts';
import type { Logger } from '../../observability/logger.ts';

/** The ECS agent refused or failed a change of the task's scale-in protection. */
export class TaskProtectionFailedError extends PostboxError {
  readonly code = 'TASK_PROTECTION_FAILED';

  constructor(
    readonly enabled: boolean,
    reason: string,
    cause?: unknown,
  ) {
    super(
      `Could not turn the task's scale-in protection ${enabled ? 'on' : 'off'} through the ECS agent (${reason}); ` +
        (enabled
          ? 'scale-in or a deploy may stop the task mid-job (the job is released, not lost). Check that the task role may call ecs:UpdateTaskProtection on its tasks.'
          : 'the task stays protected until the protection expires, which delays scale-in and deploys. Check that the task role may call ecs:UpdateTaskProtection on its tasks.'),
      { cause },
    );
  }
}

export interface ScaleInProtectionOptions {
  /** The ECS agent's endpoint, ECS_AGENT_URI in the task's containers. */
  readonly agentUri: string;
  readonly logger: Logger;
  /**
   * How long each request protects the task (1 to 2,880 minutes). A running job renews it before it expires; a
   * process that hangs stays protected this long at most.
   * @default 15
   */
  readonly expiresInMinutes?: number;
  /** How often protection is renewed while messages are held. @default a third of expiresInMinutes */
  readonly renewEveryMs?: number;
  /** How long the process holds no message before protection is turned off, so a busy worker does not call per message. @default 10 s */
  readonly releaseAfterMs?: number;
  /** Time limit of one request to the agent. @default 5 s */
  readonly requestTimeoutMs?: number;
}

/**
 * Keeps the ECS task protected from scale-in and deploys while its worker process holds messages (running or read
 * ahead), through the ECS agent's task scale-in protection endpoint: on when the first message is taken, renewed while
 * any is held, off once none has been held for `releaseAfterMs`. ECS then stops only idle tasks, and a deploy waits
 * for running jobs (at most expiresInMinutes past the last renewal). A failed request is logged and counted, never
 * fails a job: the next change or renewal tries again.
 */
export class ScaleInProtection {
  /** Requests the agent refused or that failed. */
  failures = 0;
  private readonly url: string;
  private readonly expiresInMinutes: number;
  private readonly renewEveryMs: number;
  private readonly releaseAfterMs: number;
  private readonly requestTimeoutMs: number;
  /** Protection as last asked for. */
  private enabled = false;
  private offTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  /** Requests go one after the other, so the agent sees them in the order they were decided. */
  private requests: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ScaleInProtectionOptions) {
    this.url = `${options.agentUri.replace(/\/+$/, '')}/task-protection/v1/state`;
    this.expiresInMinutes = options.expiresInMinutes ?? 15;
    this.renewEveryMs = options.renewEveryMs ?? (this.expiresInMinutes * 60_000) / 3;
    this.releaseAfterMs = options.releaseAfterMs ?? 10_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  }

  /** The number of messages the process holds now. */
  holding(messages: number): void {
    if (this.closed) return;
    if (messages > 0) {
      clearTimeout(this.offTimer);
      this.offTimer = undefined;
      if (!this.enabled) this.set(true);
      return;
    }
    if (this.enabled && !this.offTimer) this.offTimer = setTimeout(() => this.set(false), this.releaseAfterMs).unref();
  }

  /** Stops renewing and waits for the request under way; the task is stopping, so protection no longer matters. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.offTimer);
    clearInterval(this.renewTimer);
    await this.requests;
  }

  private set(enabled: boolean): void {
    this.enabled = enabled;
    this.offTimer = undefined;
    clearInterval(this.renewTimer);
    if (enabled) this.renewTimer = setInterval(() => this.send(true), this.renewEveryMs).unref();
    this.send(enabled);
  }

  private send(enabled: boolean): void {
    this.requests = this.requests.then(() =>
      this.put(enabled).catch((error: unknown) => {
        this.failures += 1;
        this.options.logger.warn('could not change the scale-in protection of the task', { enabled, failures: this.failures, error });
      }),
    );
  }

  private async put(enabled: boolean): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(enabled ? { ProtectionEnabled: true, ExpiresInMinutes: this.expiresInMinutes } : { ProtectionEnabled: false }),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      throw new TaskProtectionFailedError(enabled, `no answer: ${(error as Error)?.message ?? String(error)}`, error);
    }
    const text = await response.text();
    // The agent answers {"protection": ...}, or {"failure": ...} / {"error": ...} (the latter with a 4xx or 5xx).
    const answer = parseJson(text);
    const refusal = answer?.failure ?? answer?.error;
    if (!response.ok || refusal) throw new TaskProtectionFailedError(enabled, `HTTP ${response.status}: ${refusal ? JSON.stringify(refusal) : text.slice(0, 200)}`);
  }
}

function parseJson(text: string): { failure?: unknown; error?: unknown } | undefined {
  try {
    return JSON.parse(text) as { failure?: unknown; error?: unknown };
  } catch {
    return undefined;
  }
}
