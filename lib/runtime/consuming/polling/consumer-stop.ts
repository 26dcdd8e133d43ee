import type { EventEmitter } from 'node:events';
import type { AnyTopology } from '../../../messages/message-types.ts';
import type { ReceivedMessage } from '../message-processor.ts';
import type { QueueRuntime } from '../queue-runtime.ts';
import type { AbandonedHandlers } from './abandoned-handlers.ts';
import type { ChangeSignal } from './change-signal.ts';
import type { ConsumerHealth } from './consumer-health.ts';
import { describeStop, type ConsumerLimits, type StopReason } from './consumer-limits.ts';
import type { DeleteBatcher } from './delete-batcher.ts';
import { drainTasks } from './drain-tasks.ts';
import type { PollingConsumerEvents, PollingConsumerOptions } from './polling-consumer-options.ts';
import { releaseMessages } from './release-messages.ts';
import { StopCopies } from './stop-copies.ts';
import type { PollingTask, TaskRegistry } from './task-registry.ts';

/** The most a receive hides a message for when stop may abort it (see receiveVisibilitySeconds). */
const ABORTED_POLL_VISIBILITY_SECONDS = 30;

/** The parts of a polling consumer its stop path shares. */
export interface ConsumerParts {
  readonly runtime: QueueRuntime;
  readonly tasks: TaskRegistry;
  readonly abandoned: AbandonedHandlers;
  readonly deletes: DeleteBatcher;
  readonly limits: ConsumerLimits;
  readonly options: Pick<PollingConsumerOptions<AnyTopology>, 'abortReceiveOnStop' | 'shutdownGraceSeconds' | 'settleTimeoutSeconds'>;
  /** The visibility the heartbeat keeps a running message at. */
  readonly visibilityTimeoutSeconds: number;
  readonly changes: ChangeSignal;
  readonly events: EventEmitter<PollingConsumerEvents>;
}

/** The consumer's own state, which the stop path reads and changes only through these. */
export interface ConsumerState {
  health(): ConsumerHealth;
  setStatus(status: ConsumerHealth['status']): void;
  /** Messages asked for by receives under way. */
  requested(): number;
  /** The receive loop: done once no receive is under way. */
  loop(): Promise<void> | undefined;
  /** The task's handler returned, or never will start: its slot is free. */
  handlerReturned(task: PollingTask): void;
  /** Stops counting a message let go unhandled towards `maxMessages`: back on the queue, it may be received again. */
  uncount(): void;
}

/**
 * How a polling consumer stops (receives cut short, waiting tasks released at once, running ones given the grace
 * period), and the other ways a message goes back to its queue unhandled: behind a blocked FIFO group, or its
 * visibility lost. Kept apart so that the consumer reads as its receive and run loop.
 */
export class ConsumerStop {
  private readonly stopSignal = new AbortController();
  /** Aborted when stop begins: cuts short a wait between failed receives. */
  readonly signal: AbortSignal = this.stopSignal.signal;
  /** The stop signal, given to receives unless `abortReceiveOnStop` is false. */
  readonly receiveSignal: AbortSignal | undefined;
  /** The visibility a receive asks for; the heartbeat extends a message's to visibilityTimeoutSeconds. */
  readonly receiveVisibilitySeconds: number;
  /** The consumer's limit and heartbeat timers, cleared once its tasks are drained. */
  readonly timers: NodeJS.Timeout[] = [];
  private readonly stopCopies: StopCopies;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly parts: ConsumerParts,
    private readonly state: ConsumerState,
  ) {
    this.receiveSignal = parts.options.abortReceiveOnStop === false ? undefined : this.stopSignal.signal;
    // A poll that stop aborts lives on in SQS, and a message it takes stays hidden for what the receive asked: short,
    // so that it comes back soon, whatever the queue's visibility (an hour for a long task).
    this.receiveVisibilitySeconds = this.receiveSignal ? Math.min(parts.visibilityTimeoutSeconds, ABORTED_POLL_VISIBILITY_SECONDS) : parts.visibilityTimeoutSeconds;
    this.stopCopies = new StopCopies(parts.runtime.actions, parts.runtime.queue, parts.runtime.logger);
  }

  /** Whether stop has begun: no receive goes out from then on. */
  get begun(): boolean {
    return this.stopping !== undefined;
  }

  /** Begins the stop once; a later call returns the same promise. */
  stop(reason: StopReason): Promise<void> {
    this.stopping ??= this.shutDown(reason);
    return this.stopping;
  }

  /** Gives the message back to the queue at once (visibility 0), unprocessed or unfinished. */
  async release(task: PollingTask): Promise<void> {
    if (!(await task.letGoOf())) return;
    this.returnedUnhandled();
    // A task released before its turn never runs: its slot frees now.
    if (!task.started) this.state.handlerReturned(task);
    if (!(await this.stopCopies.sendAgain(task.message))) await this.parts.runtime.delay(task.message, 0);
    this.parts.events.emit('message_released', task.message);
    task.settleDone();
  }

  /**
   * At stop, gives back at once the messages whose handler has not started
   * (read ahead, or behind their FIFO group), in batches of 10, so another
   * consumer gets them now rather than after the grace period.
   */
  private async releaseWaiting(): Promise<void> {
    const waiting = this.parts.tasks.all().filter((task) => !task.started && !task.letGo);
    const letGo = (await Promise.all(waiting.map(async (task) => ((await task.letGoOf()) ? task : undefined)))).filter((task) => task !== undefined);
    for (const task of letGo) this.state.handlerReturned(task);
    await this.releaseAll(letGo.map((task) => task.message));
    for (const task of letGo) {
      this.parts.events.emit('message_released', task.message);
      task.settleDone();
    }
  }

  /** At stop: gives messages back, or sends again those whose next receive would be past their last attempt. */
  releaseAll(messages: readonly ReceivedMessage[]): Promise<void> {
    const { runtime } = this.parts;
    return this.stopCopies.release(messages, (rest) => releaseMessages(runtime.actions, runtime.logger, runtime.queue.name, rest));
  }

  /** The message's visibility is lost: SQS hands it out again, so this process lets it go without settling it. */
  async giveUp(task: PollingTask, error: unknown): Promise<void> {
    this.parts.runtime.logger.error('could not extend the visibility of a running task before it expired; abandoning it, SQS hands it out again', {
      messageId: task.message.messageId,
      error,
    });
    // A message still waiting (read ahead, or behind its FIFO group) has no handler to abandon: its slot frees now.
    const waiting = !task.started;
    await task.letGoOf();
    this.returnedUnhandled();
    if (waiting) this.state.handlerReturned(task);
    else this.parts.abandoned.add(task);
    task.settleDone();
  }

  /** A message let go unhandled returns to the queue, and may be received again. */
  private returnedUnhandled(): void {
    this.state.uncount();
    this.parts.changes.notify();
  }

  private async shutDown(reason: StopReason): Promise<void> {
    const { runtime, tasks, limits, options, deletes, changes, events } = this.parts;
    const { state } = this;
    state.setStatus('stopping');
    runtime.logger.info(`stopping: ${describeStop(reason, limits)}`, { reason, inFlight: tasks.slotsInUse, handled: state.health().handled });
    if (this.receiveSignal && state.requested() > 0) {
      runtime.logger.info('aborting the receive under way; a message SQS hands it in its remaining seconds returns after the visibility it asked for', {
        receiveVisibilitySeconds: this.receiveVisibilitySeconds,
      });
    }
    this.stopSignal.abort();
    changes.notify();
    await this.releaseWaiting();
    await state.loop();
    await drainTasks({
      tasks,
      graceMs: (options.shutdownGraceSeconds ?? 30) * 1000,
      settleTimeoutMs: (options.settleTimeoutSeconds ?? 5) * 1000,
      release: (task) => this.release(task),
      logger: runtime.logger,
    });
    await deletes.flush();
    for (const timer of this.timers) clearTimeout(timer);
    runtime.metrics.flush();
    state.setStatus('stopped');
    const { handled, failed } = state.health();
    runtime.logger.info('consumer stopped', { reason, handled, failed });
    events.emit('stopped', reason);
  }
}
