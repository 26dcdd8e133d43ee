import { isRetryable, RetriesExhaustedError } from '../../messages/message-errors.ts';
import { backoffDelaySeconds } from '../../retry/backoff.ts';
import type { BackoffSettings } from '../../topology/topology-schema.ts';

/** What happens to a message whose handling failed. */
export type FailureDecision =
  | { readonly action: 'retry'; readonly delaySeconds: number; readonly error: unknown }
  | { readonly action: 'dead-letter'; readonly error: unknown };

export interface FailurePolicySettings {
  readonly maxReceiveCount: number;
  readonly backoff: BackoffSettings;
}

/**
 * The one failure policy of Lambda handlers and polling consumers alike:
 * failures retrying cannot fix go to the dead-letter queue at once; others
 * come back after a backoff; the last allowed attempt dead-letters the
 * message itself, so the DLQ copy says why (the queue's redrive policy stays
 * as the safety net for crashes and timeouts).
 */
export function decideOnFailure(
  error: unknown,
  messageId: string,
  attempt: number,
  settings: FailurePolicySettings,
  random?: () => number,
): FailureDecision {
  if (!isRetryable(error)) return { action: 'dead-letter', error };
  if (attempt >= settings.maxReceiveCount) {
    return { action: 'dead-letter', error: new RetriesExhaustedError(messageId, attempt, error) };
  }
  const delaySeconds = backoffDelaySeconds(attempt, settings.backoff, random);
  // An error may say when retrying can succeed (an idempotency record held by another attempt until its lease ends).
  const retryAfter = (error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (typeof retryAfter === 'number' && retryAfter > delaySeconds) return { action: 'retry', delaySeconds: Math.min(retryAfter, MAX_VISIBILITY_SECONDS), error };
  return { action: 'retry', delaySeconds, error };
}

/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_SECONDS = 43_200;
