import type { ReceivedMessage } from '../message-processor.ts';
import type { VisibilityHeartbeat } from './visibility-heartbeat.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** One received message in this process, from its receipt until its handler has returned and it is settled. */
export class PollingTask {
  readonly abort = new AbortController();
  /** Finished, released to the queue or given up: no other path settles it, and it is extended no more. */
  letGo = false;
  /** The handler was called. */
  started = false;
  /** The handler has returned, or will never run: the slot is free. */
  handlerDone = false;
  private readonly handler = deferred();
  private readonly settle = deferred();

  constructor(
    public message: ReceivedMessage,
    readonly heartbeat: VisibilityHeartbeat,
  ) {}

  get handlerFinished(): Promise<void> {
    return this.handler.promise;
  }

  /** Resolves when the message is deleted, delayed, dead-lettered, released or given up. */
  get settled(): Promise<void> {
    return this.settle.promise;
  }

  handlerReturned(): void {
    this.handlerDone = true;
    this.handler.resolve();
  }

  settleDone(): void {
    this.settle.resolve();
  }

  /** SQS handed the message out again: delete and extend with the newest receipt handle. */
  adopt(receiptHandle: string): void {
    this.message = { ...this.message, receiptHandle };
    this.heartbeat.adopt(receiptHandle);
  }

  /** Its handler is done: stops the heartbeat, leaving the signal alone; false if the task was let go already. */
  async finish(): Promise<boolean> {
    if (this.letGo) return false;
    this.letGo = true;
    await this.heartbeat.stop();
    return true;
  }

  /** Stops the handler (its signal) and the heartbeat; false if the task was let go already. */
  async letGoOf(): Promise<boolean> {
    if (this.letGo) return false;
    this.abort.abort();
    return this.finish();
  }
}

/**
 * The tasks of one consumer by message id: a message id runs at most once in
 * the process, and a task holds its slot until its handler has returned, even
 * past its time limit.
 */
export class TaskRegistry {
  private readonly byId = new Map<string, PollingTask>();

  /** @param onChange told the number of messages held whenever one comes or goes */
  constructor(private readonly onChange: (held: number) => void = () => undefined) {}

  get(messageId: string): PollingTask | undefined {
    return this.byId.get(messageId);
  }

  /** Holds the task until its handler has returned and its message is settled. */
  add(task: PollingTask): void {
    const id = task.message.messageId;
    this.byId.set(id, task);
    this.onChange(this.byId.size);
    void Promise.all([task.handlerFinished, task.settled]).then(() => {
      if (this.byId.get(id) !== task) return;
      this.byId.delete(id);
      this.onChange(this.byId.size);
    });
  }

  /** Slots in use: tasks whose handler has not returned, waiting, running or abandoned. */
  get slotsInUse(): number {
    let used = 0;
    for (const task of this.byId.values()) if (!task.handlerDone) used += 1;
    return used;
  }

  /** Messages held whose handler has not started: read ahead, or behind their FIFO group. */
  get waiting(): number {
    let count = 0;
    for (const task of this.byId.values()) if (!task.started && !task.letGo) count += 1;
    return count;
  }

  all(): PollingTask[] {
    return [...this.byId.values()];
  }
}
