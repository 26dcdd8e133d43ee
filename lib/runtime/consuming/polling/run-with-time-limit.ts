import type { ProcessingOutcome, ReceivedMessage } from '../message-processor.ts';
import type { QueueRuntime } from '../queue-runtime.ts';
import { TaskTimeoutError } from './polling-errors.ts';

export interface TimeLimitedRun {
  /** The handler's outcome, or a retryable TaskTimeoutError failure once the time limit passes (its signal aborted). */
  readonly outcome: Promise<ProcessingOutcome>;
  /** Settles when the handler has returned, however late: until then it holds its slot. */
  readonly finished: Promise<void>;
}

/**
 * Runs one message's handler with a time limit. Past it the task is
 * abandoned: its signal is aborted and its outcome is a retryable failure,
 * but JavaScript cannot stop the handler, so `finished` tells when it really ends.
 */
export function runWithTimeLimit(runtime: QueueRuntime, message: ReceivedMessage, abort: AbortController, taskTimeoutSeconds: number): TimeLimitedRun {
  const started = performance.now();
  const handler = Promise.resolve().then(() => runtime.process(message, abort));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ProcessingOutcome>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(runtime.processor.failed(message, undefined, new TaskTimeoutError(message.messageId, taskTimeoutSeconds), started));
    }, taskTimeoutSeconds * 1000);
  });
  return {
    outcome: Promise.race([handler, timedOut]).finally(() => clearTimeout(timer)),
    finished: handler.then(
      () => undefined,
      () => undefined,
    ),
  };
}
