import { EventEmitter } from 'node:events';
import type { AnyTopology } from '../../messages/message-types.ts';
import type { ProcessingOutcome, ReceivedMessage } from '../message-processor.ts';
import { QueueRuntime, type QueueRuntimeOptions } from '../queue-runtime.ts';
import { heartbeatFields, type ConsumerHealth } from './consumer-health.ts';
import { describeStop, type ConsumerLimits, type StopReason } from './consumer-limits.ts';
import { DeleteBatcher } from './delete-batcher.ts';
import { processSupervised, type TaskSupervision } from './supervised-task.ts';
import { withUniqueJobs, type UniqueJobs } from './unique-jobs.ts';

export type { ConsumerHealth } from './consumer-health.ts';
export type { ConsumerLimits, StopReason } from './consumer-limits.ts';

export interface PollingConsumerOptions<T extends AnyTopology> extends QueueRuntimeOptions<T> {
  /** Messages handled at once. @default the worker handler's concurrency in the topology */
  readonly concurrency?: number;
  /** Long-poll wait of each receive. @default 20 */
  readonly waitTimeSeconds?: number;
  /** Visibility a received message starts with, extended by the heartbeat while it runs. @default the queue's */
  readonly visibilityTimeoutSeconds?: number;
  /** Time limit of one task, after which it is abandoned and retried. @default the worker handler's timeout */
  readonly taskTimeoutSeconds?: number;
  /** How long stop() lets running tasks finish before releasing them. @default 30 */
  readonly shutdownGraceSeconds?: number;
  /** @default none */
  readonly limits?: ConsumerLimits;
  /** @default none */
  readonly uniqueJobs?: UniqueJobs;
  /** Seconds between health heartbeats (log line with metrics). @default 30 */
  readonly heartbeatIntervalSeconds?: number;
}

/** Typed events, for observers (metrics, tests, a supervisor). */
export interface PollingConsumerEvents {
  started: [];
  message_received: [message: ReceivedMessage];
  message_processed: [message: ReceivedMessage];
  message_failed: [message: ReceivedMessage, error: unknown];
  message_dead_lettered: [message: ReceivedMessage, error: unknown];
  message_released: [message: ReceivedMessage];
  poll_error: [error: unknown];
  stopped: [reason: StopReason];
}

interface Task {
  readonly message: ReceivedMessage;
  readonly abort: AbortController;
  /** The handler and the acknowledgement. */
  done: Promise<void>;
  handlerDone: boolean;
  released: boolean;
}

/**
 * Consumes one queue of the topology in a long-running process, for work that
 * does not fit in Lambda. It shares the Lambda pipeline's decoding, dispatch,
 * backoff and dead-lettering, and adds what a long task needs:
 * - long polling, up to `concurrency` messages in flight, never receiving more than it can start;
 * - a visibility heartbeat, so a task of an hour is not delivered twice; a time limit per task;
 * - graceful stop: no receive after stop() begins; running tasks get a grace period, the rest are released;
 * - limits on messages, time and memory, and unique jobs.
 *
 * Written by hand rather than on sqs-consumer: that library receives one batch
 * at a time and waits for all of it, so a slow message holds nine free slots
 * (see `npm run bench`), and it has no per-task heartbeat or limits.
 */
export class PollingConsumer<T extends AnyTopology = AnyTopology> extends EventEmitter<PollingConsumerEvents> {
  readonly runtime: QueueRuntime;
  private readonly concurrency: number;
  private readonly waitTimeSeconds: number;
  private readonly supervision: TaskSupervision;
  private readonly tasks = new Set<Task>();
  private status: ConsumerHealth['status'] = 'starting';
  private handled = 0;
  private failedCount = 0;
  private lastPollAt = 0;
  private readonly startedAt = Date.now();
  /** Handlers running: the slots in use. */
  private active = 0;
  /** Messages asked for by receives under way. */
  private requested = 0;
  private received = 0;
  private waiters: Array<() => void> = [];
  private wakeScheduled = false;
  private readonly deletes: DeleteBatcher;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    topology: T,
    private readonly options: PollingConsumerOptions<T>,
  ) {
    super();
    const handlers = options.uniqueJobs ? withUniqueJobs(options.handlers, options.uniqueJobs) : options.handlers;
    this.runtime = new QueueRuntime(topology, { ...options, handlers });
    const { handler } = this.runtime.queue;
    this.concurrency = options.concurrency ?? (handler.kind === 'worker' ? handler.concurrency : 10);
    this.waitTimeSeconds = options.waitTimeSeconds ?? 20;
    this.supervision = {
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? this.runtime.queue.visibilityTimeoutSeconds,
      taskTimeoutSeconds: options.taskTimeoutSeconds ?? handler.timeoutSeconds,
    };
    this.deletes = new DeleteBatcher(this.runtime.actions, this.runtime.queue.name);
  }

  /** Starts polling; resolves at once. */
  start(): void {
    if (this.loop) return;
    this.status = 'polling';
    const { limits = {} } = this.options;
    if (limits.maxRuntimeSeconds !== undefined) {
      this.timers.push(setTimeout(() => void this.stop('max-runtime'), limits.maxRuntimeSeconds * 1000));
    }
    const heartbeatMs = (this.options.heartbeatIntervalSeconds ?? 30) * 1000;
    this.timers.push(setInterval(() => this.heartbeat(), heartbeatMs));
    if (limits.maxMemoryMb !== undefined) {
      const maxBytes = limits.maxMemoryMb * 1024 * 1024;
      this.timers.push(setInterval(() => process.memoryUsage.rss() > maxBytes && void this.stop('max-memory'), 1000));
    }
    this.runtime.logger.info('consumer started', {
      concurrency: this.concurrency,
      ...this.supervision,
      ...limits,
    });
    this.emit('started');
    this.loop = this.poll();
  }

  /**
   * Stops receiving at once, lets running tasks finish within the grace
   * period, then releases the unfinished ones (visibility 0) for another
   * consumer. Resolves when done; calling it again returns the same promise.
   */
  stop(reason: StopReason = 'requested'): Promise<void> {
    this.stopping ??= this.shutDown(reason);
    return this.stopping;
  }

  health(): ConsumerHealth {
    return {
      status: this.status,
      queue: this.runtime.queue.id,
      inFlight: this.active,
      handled: this.handled,
      failed: this.failedCount,
      lastPollAt: this.lastPollAt,
      startedAt: this.startedAt,
    };
  }

  /**
   * Keeps the handler slots full: whenever slots are free and not already
   * asked for, another receive goes out for them (at most 10 each), so
   * receives overlap with running handlers; never more is asked for than the
   * free slots, so nothing received waits for a slot.
   */
  private async poll(): Promise<void> {
    const { maxMessages } = this.options.limits ?? {};
    const receives = new Set<Promise<void>>();
    while (!this.stopping) {
      let free = this.concurrency - this.active - this.requested;
      if (maxMessages !== undefined) free = Math.min(free, maxMessages - this.received - this.requested);
      if (free <= 0) {
        await this.nextChange();
        continue;
      }
      const ask = Math.min(10, free);
      this.requested += ask;
      const receive = this.receiveInto(ask).finally(() => {
        this.requested -= ask;
        receives.delete(receive);
        this.changed();
      });
      receives.add(receive);
    }
    // Receives under way when stop began are left to return rather than aborted: SQS may already
    // have handed them messages, which an aborted request would hide for their whole visibility
    // timeout. What they bring goes straight back.
    await Promise.all(receives);
  }

  private async receiveInto(max: number): Promise<void> {
    let messages: ReceivedMessage[];
    try {
      messages = await this.runtime.actions.receive(max, this.waitTimeSeconds, this.supervision.visibilityTimeoutSeconds);
      this.lastPollAt = Date.now();
    } catch (error) {
      if (this.stopping) return;
      this.emit('poll_error', error);
      this.runtime.logger.error('receive failed; retrying in 1 s', { error });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return;
    }
    if (this.stopping) {
      await Promise.all(messages.map((message) => this.runtime.delay(message, 0)));
      return;
    }
    for (const message of messages) this.startTask(message);
  }

  private nextChange(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Wakes the poll loop once the current turn of the event loop is over, so
   * the slots freed together (tasks started by one receive end together) are
   * asked for in one receive rather than one each.
   */
  private changed(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      for (const resolve of this.waiters.splice(0)) resolve();
    });
  }

  private startTask(message: ReceivedMessage): void {
    this.emit('message_received', message);
    this.received += 1;
    this.active += 1;
    const task: Task = { message, abort: new AbortController(), released: false, handlerDone: false, done: Promise.resolve() };
    task.done = this.run(task).finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  private async run(task: Task): Promise<void> {
    const { message } = task;
    let outcome: ProcessingOutcome;
    try {
      outcome = await processSupervised(this.runtime, message, task.abort, this.supervision);
    } finally {
      // The slot frees as soon as the handler is done; acknowledging goes on beside the next task.
      task.handlerDone = true;
      this.active -= 1;
      this.changed();
    }
    if (task.released) return;
    try {
      await this.settle(message, outcome);
    } catch (error) {
      this.runtime.logger.error('could not settle a message; it returns after its visibility timeout', { messageId: message.messageId, error });
    }
  }

  private async settle(message: ReceivedMessage, outcome: ProcessingOutcome): Promise<void> {
    this.handled += 1;
    if (outcome.status === 'processed') {
      await this.deletes.delete(message.receiptHandle);
      this.emit('message_processed', message);
    } else {
      this.failedCount += 1;
      this.emit('message_failed', message, outcome.error);
      if (await this.runtime.settleFailure(message, outcome)) {
        await this.deletes.delete(message.receiptHandle);
        this.emit('message_dead_lettered', message, outcome.error);
      }
    }
    this.runtime.metrics.flush();
    const { maxMessages } = this.options.limits ?? {};
    if (maxMessages !== undefined && this.handled >= maxMessages) void this.stop('max-messages');
  }

  private async shutDown(reason: StopReason): Promise<void> {
    this.status = 'stopping';
    this.runtime.logger.info(`stopping: ${describeStop(reason, this.options.limits)}`, { reason, inFlight: this.tasks.size, handled: this.handled });
    this.changed();
    await this.loop;
    const graceMs = (this.options.shutdownGraceSeconds ?? 30) * 1000;
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace-over'>((resolve) => (graceTimer = setTimeout(() => resolve('grace-over'), graceMs)));
    const allDone = Promise.all([...this.tasks].map((task) => task.done));
    if ((await Promise.race([allDone, graceOver])) === 'grace-over') {
      const unfinished = [...this.tasks].filter((task) => !task.handlerDone);
      this.runtime.logger.warn('grace period over; releasing unfinished tasks to other consumers', { released: unfinished.length });
      await Promise.all(
        unfinished.map(async (task) => {
          task.released = true;
          task.abort.abort();
          await this.runtime.delay(task.message, 0);
          this.emit('message_released', task.message);
        }),
      );
    }
    clearTimeout(graceTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.runtime.metrics.flush();
    this.status = 'stopped';
    this.runtime.logger.info('consumer stopped', { reason, handled: this.handled, failed: this.failedCount });
    this.emit('stopped', reason);
  }

  /** A log line and metric per interval: the consumer is alive. */
  private heartbeat(): void {
    this.runtime.logger.info('heartbeat', heartbeatFields(this.health()));
  }
}
