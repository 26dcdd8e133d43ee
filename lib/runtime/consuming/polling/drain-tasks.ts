import type { Logger } from '../../observability/logger.ts';
import type { PollingTask, TaskRegistry } from './task-registry.ts';

export interface DrainOptions {
  readonly tasks: TaskRegistry;
  /** How long running tasks may still finish. */
  readonly graceMs: number;
  /** After the grace period, how long the settles (deletes, backoffs) of finished tasks may still take. */
  readonly settleTimeoutMs: number;
  /** Gives an unfinished task's message back to the queue. */
  readonly release: (task: PollingTask) => Promise<void>;
  readonly logger: Logger;
}

/**
 * The end of a stop: running tasks get the grace period; then the unfinished
 * ones are released to other consumers, and the finished ones get a bounded
 * time to settle, so a process does not exit with their deletes in flight
 * (their messages would run again elsewhere).
 */
export async function drainTasks({ tasks, graceMs, settleTimeoutMs, release, logger }: DrainOptions): Promise<void> {
  const settledAll = () => Promise.all(tasks.all().map((task) => task.settled));
  if ((await within(settledAll(), graceMs)) === 'done') return;
  const unfinished = tasks.all().filter((task) => !task.handlerDone && !task.letGo);
  logger.warn('grace period over; releasing unfinished tasks to other consumers and waiting for the settles of finished ones', {
    released: unfinished.length,
    settleTimeoutSeconds: settleTimeoutMs / 1000,
  });
  await Promise.all(unfinished.map(release));
  const settleEnds = Date.now() + settleTimeoutMs;
  if ((await within(settledAll(), settleTimeoutMs)) === 'timed-out') {
    logger.error('finished tasks did not settle in time; their messages return after their visibility timeout and run again', {
      settleTimeoutSeconds: settleTimeoutMs / 1000,
    });
    return;
  }
  // The released handlers were signalled: one that honours its signal returns now, and what it does on its way out
  // (a unique job's lock release) must land before the process exits, or other workers skip the job's key until its
  // lease runs out. Within the same settle time; a handler that ignores its signal is not waited for longer.
  const returned = Promise.all(unfinished.map((task) => task.handlerFinished));
  if ((await within(returned, Math.max(0, settleEnds - Date.now()))) === 'timed-out') {
    logger.warn('released handlers still running at exit; what they hold (a unique job lock) is freed when its lease runs out', {
      running: unfinished.filter((task) => !task.handlerDone).length,
    });
  }
}

async function within(work: Promise<unknown>, ms: number): Promise<'done' | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed-out'>((resolve) => (timer = setTimeout(() => resolve('timed-out'), ms)));
  try {
    return await Promise.race([work.then(() => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
