import { MAX_VISIBILITY_TIMEOUT_SECONDS } from '../topology/topology-schema.ts';

/**
 * Seconds of visibility SQS still grants a message received at `receivedAt`
 * (epoch ms): it refuses any visibility that ends more than 12 hours after the
 * receipt. Rounded down, so a change made with it is never refused.
 */
export function visibilityLeftSeconds(receivedAt: number, now: number): number {
  return Math.max(0, Math.floor(MAX_VISIBILITY_TIMEOUT_SECONDS - (now - receivedAt) / 1000));
}

/** `seconds` of visibility (an extension, a backoff), cut to what is left of the 12 hours. */
export function capVisibilitySeconds(seconds: number, receivedAt: number, now: number): number {
  return Math.min(seconds, visibilityLeftSeconds(receivedAt, now));
}
