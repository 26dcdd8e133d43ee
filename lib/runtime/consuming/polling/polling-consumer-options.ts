import type { AnyTopology } from '../../../messages/message-types.ts';
import type { ReceivedMessage } from '../message-processor.ts';
import type { QueueRuntimeOptions } from '../queue-runtime.ts';
import type { ConsumerLimits, StopReason } from './consumer-limits.ts';
import type { UniqueJobs } from '../workers/unique-jobs.ts';

export interface PollingConsumerOptions<T extends AnyTopology> extends QueueRuntimeOptions<T> {
  /** Messages handled at once. @default the worker handler's concurrency in the topology */
  readonly concurrency?: number;
  /**
   * Read-ahead: messages received while every handler slot is busy, so one is
   * ready the moment a slot frees instead of a receive round trip later. They
   * count against this number (at most `concurrency + prefetch` held), their
   * visibility is extended like running ones', they run in the order received
   * (a FIFO group's never overtake), and stop() releases them at once. Costs:
   * up to `prefetch` messages held invisible from other consumers, and one
   * visibility extension each per third of the timeout while they wait.
   * @default 0 (nothing read ahead)
   */
  readonly prefetch?: number;
  /** Long-poll wait of each receive. @default 20 */
  readonly waitTimeSeconds?: number;
  /**
   * Whether stop() aborts a long poll under way, so the consumer stops at once
   * instead of waiting out `waitTimeSeconds`. SQS does not cancel a poll its
   * client gave up: a message it hands to that poll in its remaining seconds
   * stays hidden, then returns (nothing is lost). So that this is short, a
   * receive then asks for at most 30 s of visibility, and the heartbeat extends
   * a message's to `visibilityTimeoutSeconds` a third of the way in: a handler
   * that blocks the event loop (synchronous CPU work) for over 20 s then lets
   * its message show again. Set false to let every poll return and release what
   * it brought, receiving with the whole visibility.
   * @default true
   */
  readonly abortReceiveOnStop?: boolean;
  /** Visibility the heartbeat keeps a running message at (a receive asks for at most 30 s of it, see abortReceiveOnStop). @default the queue's */
  readonly visibilityTimeoutSeconds?: number;
  /** Time limit of one task, after which it is abandoned and retried. @default the worker handler's timeout */
  readonly taskTimeoutSeconds?: number;
  /** How long stop() lets running tasks finish before releasing them. @default 30 */
  readonly shutdownGraceSeconds?: number;
  /** After the grace period, how long stop() still waits for finished tasks' deletes and backoffs. @default 5 */
  readonly settleTimeoutSeconds?: number;
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
  /** The messages it holds, running or read ahead, each time one comes or goes (until its handler returned and it is settled). */
  holding: [messages: number];
  poll_error: [error: unknown];
  stopped: [reason: StopReason];
}
