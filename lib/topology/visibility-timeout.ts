import { MAX_VISIBILITY_TIMEOUT_SECONDS, type Handler } from './topology-schema.ts';

/**
 * AWS advises a visibility timeout of six times the function timeout plus the
 * batching window, so that retries of a throttled batch do not redeliver
 * messages still being processed. A worker extends visibility while a task
 * runs, so its queue needs only the task timeout, within SQS's 12-hour limit.
 */
export function defaultVisibilityTimeout(handler: Handler): number {
  if (handler.kind === 'lambda') return 6 * handler.timeoutSeconds + handler.maxBatchingWindowSeconds;
  return Math.min(handler.timeoutSeconds, MAX_VISIBILITY_TIMEOUT_SECONDS);
}
