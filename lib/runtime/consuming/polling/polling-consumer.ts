import { EventEmitter } from 'node:events';
import type { AnyTopology } from '../../../messages/message-types.ts';
import { runsInWorker } from '../../../topology/topology-schema.ts';
import type { ProcessingOutcome, ReceivedMessage } from '../message-processor.ts';
import { QueueRuntime } from '../queue-runtime.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageGroups } from '../message-groups.ts';
import { AbandonedHandlers } from './abandoned-handlers.ts';
import { ChangeSignal } from './change-signal.ts';
import { heartbeatFields, type ConsumerHealth } from './consumer-health.ts';
import { startLimitTimers, type ConsumerLimits, type StopReason } from './consumer-limits.ts';
import { ConsumerStop } from './consumer-stop.ts';
import { DeleteBatcher } from './delete-batcher.ts';
import { HandlerSlots } from './handler-slots.ts';
import { InvalidPrefetchError } from './polling-errors.ts';
import { ReceiveBackoff } from './receive-backoff.ts';
import { runWithTimeLimit } from './run-with-time-limit.ts';
import { PollingTask, TaskRegistry } from './task-registry.ts';
import type { PollingConsumerEvents, PollingConsumerOptions } from './polling-consumer-options.ts';
import { withUniqueJobs } from '../workers/unique-jobs.ts';
import { VisibilityHeartbeat } from './visibility-heartbeat.ts';

export type { ConsumerHealth } from './consumer-health.ts';
export type { ConsumerLimits, StopReason } from './consumer-limits.ts';

export type { PollingConsumerEvents, PollingConsumerOptions } from './polling-consumer-options.ts';

/**
 * Consumes one queue of the topology in a long-running process, for work that
 * does not fit in Lambda. It shares the Lambda pipeline's decoding, dispatch,
 * backoff, dead-lettering and FIFO group order, and adds what a long task needs:
 * - long polling, up to `concurrency` messages in flight, never receiving more than it can start,
 *   or, with `prefetch`, up to that many more received ahead, waiting for a slot;
 * - a visibility heartbeat, so a task of an hour is not delivered twice; a time limit per task,
 *   whose slot stays taken until its handler returns; a message id runs once at a time;
 * - graceful stop: no receive after stop() begins; running tasks get a grace period, the rest are released;
 * - limits on messages, time, memory and abandoned handlers, and unique jobs.
 *
 * Written by hand rather than on sqs-consumer: that library receives one batch
 * at a time and waits for all of it, so a slow message holds nine free slots
 * (see `npm run bench`), and it has no per-task heartbeat or limits.
 */
export class PollingConsumer<T extends AnyTopology = AnyTopology> extends EventEmitter<PollingConsumerEvents> {
  private readonly runtime: QueueRuntime;
  private readonly concurrency: number;
  private readonly prefetch: number;
  private readonly slots: HandlerSlots;
  private readonly waitTimeSeconds: number;
  private readonly visibilityTimeoutSeconds: number;
  private readonly taskTimeoutSeconds: number;
  private readonly limits: ConsumerLimits;
  private readonly tasks = new TaskRegistry((held) => this.emit('holding', held));
  private readonly abandoned: AbandonedHandlers;
  private readonly groups: MessageGroups | undefined;
  private readonly receiveBackoff: ReceiveBackoff;
  private readonly deletes: DeleteBatcher;
  private readonly stopPath: ConsumerStop;
  private status: ConsumerHealth['status'] = 'starting';
  private handled = 0;
  private failedCount = 0;
  private lastPollAt = 0;
  private readonly startedAt = Date.now();
  /** Messages asked for by receives under way. */
  private requested = 0;
  private received = 0;
  private readonly changes = new ChangeSignal();
  private loop: Promise<void> | undefined;
  /** Receives no more until resumed (the local console's pause); tasks under way go on. */
  private pausedNow = false;

  constructor(
    topology: T,
    private readonly options: PollingConsumerOptions<T>,
  ) {
    super();
    const handlers = options.uniqueJobs ? withUniqueJobs(options.handlers, options.uniqueJobs) : options.handlers;
    this.runtime = new QueueRuntime(topology, { ...options, handlers });
    const { handler, fifo } = this.runtime.queue;
    this.concurrency = options.concurrency ?? (runsInWorker(handler) ? handler.concurrency : 10);
    const prefetch = options.prefetch ?? 0;
    if (!Number.isInteger(prefetch) || prefetch < 0) throw new InvalidPrefetchError(this.runtime.queue.name, options.prefetch);
    this.prefetch = prefetch;
    this.slots = new HandlerSlots(this.concurrency);
    this.waitTimeSeconds = options.waitTimeSeconds ?? 20;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? this.runtime.queue.visibilityTimeoutSeconds;
    this.taskTimeoutSeconds = options.taskTimeoutSeconds ?? handler.timeoutSeconds;
    this.limits = { ...options.limits, maxAbandonedHandlers: options.limits?.maxAbandonedHandlers ?? this.concurrency };
    this.abandoned = new AbandonedHandlers(this.limits.maxAbandonedHandlers!, () => void this.stop('abandoned-handlers'));
    this.groups = fifo ? new MessageGroups() : undefined;
    this.receiveBackoff = new ReceiveBackoff(this.runtime.logger, options.random);
    this.deletes = new DeleteBatcher(this.runtime.actions, this.runtime.queue.name);
    const { runtime, tasks, abandoned, deletes, limits, visibilityTimeoutSeconds, changes } = this;
    this.stopPath = new ConsumerStop({ runtime, tasks, abandoned, deletes, limits, options, visibilityTimeoutSeconds, changes, events: this }, {
      health: () => this.health(),
      setStatus: (status) => void (this.status = status),
      requested: () => this.requested,
      loop: () => this.loop,
      handlerReturned: (task) => this.handlerReturned(task),
      uncount: () => void (this.received -= 1),
    });
  }

  /** The id of the queue it consumes (`billing`, `invoice-generate`), as the topology names it. */
  get queueId(): string {
    return this.runtime.queue.id;
  }

  /** Starts polling; resolves at once. */
  start(): void {
    if (this.loop) return;
    this.status = 'polling';
    const { limits } = this;
    this.stopPath.timers.push(...startLimitTimers(limits, (reason) => void this.stop(reason)));
    const heartbeatMs = (this.options.heartbeatIntervalSeconds ?? 30) * 1000;
    this.stopPath.timers.push(setInterval(() => this.runtime.logger.info('heartbeat', heartbeatFields(this.health())), heartbeatMs));
    const { concurrency, prefetch, visibilityTimeoutSeconds, taskTimeoutSeconds } = this;
    this.runtime.logger.info('consumer started', { concurrency, prefetch, visibilityTimeoutSeconds, taskTimeoutSeconds, ...limits });
    this.emit('started');
    this.loop = this.poll();
  }

  /**
   * Stops receiving at once, lets running tasks finish within the grace
   * period, then releases the unfinished ones (visibility 0) for another
   * consumer. Resolves when done; calling it again returns the same promise.
   */
  stop(reason: StopReason = 'requested'): Promise<void> {
    return this.stopPath.stop(reason);
  }

  /**
   * Sends no further receive until {@link resume}: messages wait on the queue. Tasks running, and what a receive
   * already under way brings (one long poll), are handled as usual.
   */
  pause(): void {
    this.pausedNow = true;
  }

  resume(): void {
    this.pausedNow = false;
    this.changes.notify();
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  health(): ConsumerHealth {
    const receiveFailure = this.receiveBackoff.failure;
    return {
      ...(receiveFailure && { receiveFailure }),
      status: this.status,
      queue: this.runtime.queue.id,
      inFlight: this.tasks.slotsInUse,
      waiting: this.tasks.waiting,
      handled: this.handled,
      failed: this.failedCount,
      lastPollAt: this.lastPollAt,
      startedAt: this.startedAt,
    };
  }

  /**
   * Keeps the handler slots full: whenever slots (plus the read-ahead) are
   * free and not already asked for, another receive goes out for them (at
   * most 10 each), so receives overlap with running handlers; never more is
   * asked for than that, so without read-ahead nothing received waits for a
   * slot. While receives fail, one goes out at a time.
   */
  private async poll(): Promise<void> {
    const { maxMessages } = this.limits;
    const receives = new Set<Promise<void>>();
    while (!this.stopPath.begun) {
      let free = this.concurrency + this.prefetch - this.tasks.slotsInUse - this.requested;
      if (maxMessages !== undefined) free = Math.min(free, maxMessages - this.received - this.requested);
      // With work read ahead, a receive waits until it can ask for a full batch: fewer requests, and no slot starves meanwhile.
      const batchOnly = this.prefetch > 0 && this.tasks.waiting > 0 && free < Math.min(10, this.prefetch);
      if (this.pausedNow || free <= 0 || batchOnly || (this.receiveBackoff.failing && receives.size > 0)) {
        await this.changes.next();
        continue;
      }
      const ask = Math.min(10, free);
      this.requested += ask;
      const receive = this.receiveInto(ask).finally(() => {
        this.requested -= ask;
        receives.delete(receive);
        this.changes.notify();
      });
      receives.add(receive);
    }
    // Receives under way are aborted by stop (see abortReceiveOnStop) or, when not, what they bring goes straight back.
    await Promise.all(receives);
  }

  private async receiveInto(max: number): Promise<void> {
    let messages: ReceivedMessage[];
    try {
      messages = await this.runtime.actions.receive(max, this.waitTimeSeconds, this.stopPath.receiveVisibilitySeconds, this.stopPath.receiveSignal);
      this.lastPollAt = Date.now();
      this.receiveBackoff.succeeded();
    } catch (error) {
      if (this.stopPath.begun) return;
      this.emit('poll_error', error);
      await sleep(this.receiveBackoff.failed(error), undefined, { signal: this.stopPath.signal }).catch(() => undefined);
      return;
    }
    if (this.stopPath.begun) {
      await this.stopPath.releaseAll(messages);
      return;
    }
    for (const message of messages) this.startTask(message);
  }

  private startTask(message: ReceivedMessage): void {
    const running = this.tasks.get(message.messageId);
    if (running) {
      // Delivered again while it runs here (its visibility ran out, or SQS delivered it twice): never start it twice.
      if (!running.letGo) running.adopt(message.receiptHandle);
      this.runtime.logger.warn('message delivered again while it runs in this process; not started twice', { messageId: message.messageId, adopted: !running.letGo });
      return;
    }
    this.emit('message_received', message);
    this.received += 1;
    const heartbeat = new VisibilityHeartbeat(this.runtime.actions, {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      receivedAt: message.receivedAt ?? Date.now(),
      receivedWithSeconds: this.stopPath.receiveVisibilitySeconds,
      visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      onLost: (error) => void this.stopPath.giveUp(task, error),
      onRetry: (error) => this.runtime.logger.warn('could not extend the visibility of a running task; retrying', { messageId: message.messageId, error }),
    });
    const task = new PollingTask(message, heartbeat);
    this.tasks.add(task);
    const run = () => this.run(task);
    const release = () => this.stopPath.release(task);
    const turn = this.groups ? this.groups.run(message.groupId ?? '', run, release) : run();
    turn.catch((error: unknown) => this.runtime.logger.error('a task failed unexpectedly', { messageId: message.messageId, error }));
  }

  /** Runs the task's handler and settles its message; resolves to whether the message left its queue. */
  private async run(task: PollingTask): Promise<boolean> {
    if (task.letGo || !(await this.slots.take(task.abort.signal))) {
      this.handlerReturned(task);
      return false;
    }
    if (task.letGo) {
      this.slots.free();
      this.handlerReturned(task);
      return false;
    }
    task.started = true;
    const { outcome: outcomeOf, finished } = runWithTimeLimit(this.runtime, task.message, task.abort, this.taskTimeoutSeconds);
    void finished.then(() => {
      this.slots.free();
      this.handlerReturned(task);
    });
    const outcome = await outcomeOf;
    if (task.abort.signal.aborted) this.abandoned.add(task);
    if (!(await task.finish())) return false;
    try {
      return await this.settle(task.message, outcome);
    } catch (error) {
      this.runtime.logger.error('could not settle a message; it returns after its visibility timeout', { messageId: task.message.messageId, error });
      return false;
    } finally {
      task.settleDone();
    }
  }

  /** The slot frees as soon as the handler is done; acknowledging goes on beside the next task. */
  private handlerReturned(task: PollingTask): void {
    task.handlerReturned();
    this.changes.notify();
  }

  private async settle(message: ReceivedMessage, outcome: ProcessingOutcome): Promise<boolean> {
    this.handled += 1;
    let left = false;
    if (outcome.status === 'processed') {
      await this.deletes.delete(message.receiptHandle);
      this.runtime.settled(message, outcome, true);
      this.emit('message_processed', message);
      left = true;
    } else {
      this.failedCount += 1;
      this.emit('message_failed', message, outcome.error);
      if (await this.runtime.settleFailure(message, outcome)) {
        await this.deletes.delete(message.receiptHandle);
        this.emit('message_dead_lettered', message, outcome.error);
        left = true;
      }
    }
    this.runtime.metrics.flush();
    const { maxMessages } = this.limits;
    if (maxMessages !== undefined && this.handled >= maxMessages) void this.stop('max-messages');
    return left;
  }
}
