/**
 * The handlers allowed to run at once. A task received ahead (read-ahead)
 * waits here for a slot, in the order received; one let go while it waits
 * (its signal aborts) leaves the line without taking a slot.
 */
export class HandlerSlots {
  private running = 0;
  private readonly line: Array<() => void> = [];

  constructor(private readonly size: number) {}

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.line.length;
  }

  /** Resolves to true once a slot is taken, or to false if `signal` aborts first. */
  take(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.running < this.size) {
      this.running += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', cancel);
        this.running += 1;
        resolve(true);
      };
      const cancel = () => {
        this.line.splice(this.line.indexOf(grant), 1);
        resolve(false);
      };
      this.line.push(grant);
      signal.addEventListener('abort', cancel, { once: true });
    });
  }

  /** A handler returned: its slot goes to the task that waited longest. */
  free(): void {
    this.running -= 1;
    this.line.shift()?.();
  }
}
