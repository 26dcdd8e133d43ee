import { backoffDelaySeconds } from '../retry/backoff.ts';
import type { ResolvedQueue } from '../topology/resolve-topology.ts';

/**
 * The oldest a message of this queue gets while its consumer is healthy, in
 * seconds: SQS counts a message's age until it is deleted, in flight or not,
 * so every attempt may take the handler's whole timeout (plus the batching
 * window of a Lambda handler) and every backoff between attempts its longest,
 * capped at the queue's backoff cap.
 */
export function healthyMessageAgeSeconds(queue: ResolvedQueue): number {
  const { handler, maxReceiveCount, backoff } = queue;
  const attemptSeconds = handler.timeoutSeconds + (handler.kind === 'lambda' ? handler.maxBatchingWindowSeconds : 0);
  let backoffSeconds = 0;
  for (let attempt = 1; attempt < maxReceiveCount; attempt++) backoffSeconds += backoffDelaySeconds(attempt, backoff, () => 1);
  return maxReceiveCount * attemptSeconds + backoffSeconds;
}
