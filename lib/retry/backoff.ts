import type { BackoffSettings } from '../topology/topology-schema.ts';

/**
 * Delay before the next attempt of a message that failed on attempt
 * `attempt` (1 for the first receive): exponential, capped, with "equal
 * jitter" so that messages failing together do not come back together, and
 * no delay falls under half of its exponential step.
 */
export function backoffDelaySeconds(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const step = Math.min(settings.capSeconds, settings.baseSeconds * 2 ** exponent);
  const half = step / 2;
  return Math.min(settings.capSeconds, Math.ceil(half + random() * half));
}

/**
 * Wait before retry `attempt` (1 for the first) of an operation that keeps
 * failing: exponential from `baseMs`, capped at `capMs`, with "full jitter"
 * (anywhere from 0 to the step) so that many callers do not retry in step.
 */
export function fullJitterDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * step);
}
