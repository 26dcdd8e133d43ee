/**
 * Wakes the poll loop when slots free or receives return, once the current
 * turn of the event loop is over: the slots freed together (tasks started by
 * one receive end together) are then asked for in one receive rather than one each.
 */
export class ChangeSignal {
  private waiters: Array<() => void> = [];
  private scheduled = false;

  /** Resolves at the next change. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const resolve of this.waiters.splice(0)) resolve();
    });
  }
}
