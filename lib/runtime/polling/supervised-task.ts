import type { ProcessingOutcome, ReceivedMessage } from '../message-processor.ts';
import type { QueueRuntime } from '../queue-runtime.ts';
import { TaskTimeoutError } from './polling-errors.ts';

export interface TaskSupervision {
  /** Visibility the message was received with; the heartbeat renews it. */
  readonly visibilityTimeoutSeconds: number;
  /** Past this the task is abandoned (its signal aborted) and fails with a retryable TaskTimeoutError. */
  readonly taskTimeoutSeconds: number;
}

/**
 * Processes one message as a long task: its visibility is extended at half
 * of it while the handler runs, so SQS never hands it to another consumer,
 * and the task is abandoned once its time limit passes.
 */
export async function processSupervised(
  runtime: QueueRuntime,
  message: ReceivedMessage,
  abort: AbortController,
  { visibilityTimeoutSeconds, taskTimeoutSeconds }: TaskSupervision,
): Promise<ProcessingOutcome> {
  const started = performance.now();
  const heartbeat = setInterval(() => void runtime.delay(message, visibilityTimeoutSeconds), Math.max(1, visibilityTimeoutSeconds / 2) * 1000);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ProcessingOutcome>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(runtime.processor.failed(message, undefined, new TaskTimeoutError(message.messageId, taskTimeoutSeconds), started));
    }, taskTimeoutSeconds * 1000);
  });
  try {
    return await Promise.race([runtime.processor.process(message, abort), timedOut]);
  } finally {
    clearInterval(heartbeat);
    clearTimeout(timer);
  }
}
