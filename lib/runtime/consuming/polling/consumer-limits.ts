export type StopReason = 'requested' | 'signal' | 'max-messages' | 'max-runtime' | 'max-memory' | 'abandoned-handlers';

/** Exit code of a worker process that stopped for `reason`: 0 for a planned stop, 70 (EX_SOFTWARE) when handlers are stuck. */
export function exitCodeOf(reason: StopReason): number {
  return reason === 'abandoned-handlers' ? 70 : 0;
}

/** Limits after which the consumer stops, so its supervisor starts a fresh process. */
export interface ConsumerLimits {
  /** Stop after this many messages were handled (succeeded or failed). @default no limit */
  readonly maxMessages?: number;
  /** Stop after running this long. @default no limit */
  readonly maxRuntimeSeconds?: number;
  /** Stop when the process's resident memory passes this. @default no limit */
  readonly maxMemoryMb?: number;
  /**
   * Stop (exit code 70) when this many handlers still run after their task was given up (time limit
   * passed, visibility lost), each holding a slot. @default the consumer's concurrency
   */
  readonly maxAbandonedHandlers?: number;
}

/** The log line of a stop: why, and what happens next. */
export function describeStop(reason: StopReason, limits: ConsumerLimits = {}): string {
  switch (reason) {
    case 'max-messages':
      return `handled ${limits.maxMessages} messages (limit maxMessages); the supervisor starts a fresh process`;
    case 'max-runtime':
      return `ran ${limits.maxRuntimeSeconds} s (limit maxRuntimeSeconds); the supervisor starts a fresh process`;
    case 'max-memory':
      return `resident memory passed ${limits.maxMemoryMb} MiB (limit maxMemoryMb); the supervisor starts a fresh process`;
    case 'abandoned-handlers':
      return `${limits.maxAbandonedHandlers} handlers still run past their time limit, ignoring their abort signal and holding their slots (limit maxAbandonedHandlers); exiting with code 70 so the supervisor starts a fresh process`;
    case 'signal':
      return 'received a termination signal';
    case 'requested':
      return 'stop requested';
  }
}

/** Timers that stop the consumer when it has run too long or uses too much memory. */
export function startLimitTimers(limits: ConsumerLimits, stop: (reason: StopReason) => void): NodeJS.Timeout[] {
  const timers: NodeJS.Timeout[] = [];
  if (limits.maxRuntimeSeconds !== undefined) timers.push(setTimeout(() => stop('max-runtime'), limits.maxRuntimeSeconds * 1000));
  if (limits.maxMemoryMb !== undefined) {
    const maxBytes = limits.maxMemoryMb * 1024 * 1024;
    timers.push(setInterval(() => process.memoryUsage.rss() > maxBytes && stop('max-memory'), 1000));
  }
  return timers;
}
