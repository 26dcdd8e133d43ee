import type { PollingTask } from './task-registry.ts';

/** A handler that honours its abort signal returns within this; one still running after it is abandoned. */
const ABANDON_GRACE_MS = 1000;

/**
 * Handlers still running after their task was given up (past its time limit,
 * or its visibility lost): each holds a slot. Once `bound` of them pile up,
 * the consumer cannot recover by itself, and `onBoundReached` stops it so its
 * supervisor starts a fresh process.
 */
export class AbandonedHandlers {
  private readonly tasks = new Set<PollingTask>();
  private reached = false;

  constructor(
    readonly bound: number,
    private readonly onBoundReached: (count: number) => void,
  ) {}

  get size(): number {
    return this.tasks.size;
  }

  /** Counts the task's handler as abandoned if it still runs a moment after its task was given up. */
  add(task: PollingTask): void {
    setTimeout(() => this.count(task), ABANDON_GRACE_MS).unref();
  }

  private count(task: PollingTask): void {
    if (task.handlerDone || this.tasks.has(task)) return;
    this.tasks.add(task);
    void task.handlerFinished.then(() => this.tasks.delete(task));
    if (this.tasks.size >= this.bound && !this.reached) {
      this.reached = true;
      this.onBoundReached(this.tasks.size);
    }
  }
}
