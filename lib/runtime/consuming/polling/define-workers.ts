import type { AnyTopology } from '../../../messages/message-types.ts';
import type { MessageHandlers } from '../message-processor.ts';
import type { UniqueJobs } from './unique-jobs.ts';

/** What runs one worker queue: a handler per message type, and optionally which jobs must not run twice at once. */
export interface WorkerQueueDefinition<T extends AnyTopology> {
  readonly handlers: MessageHandlers<T>;
  /** @default none: every message runs */
  readonly uniqueJobs?: UniqueJobs;
}

/** The worker queues of a topology with what runs them: the default export of the config's `workers` module. */
export interface WorkerDefinitions<T extends AnyTopology = AnyTopology> {
  readonly topology: T;
  readonly queues: Readonly<Record<string, WorkerQueueDefinition<T>>>;
}

/**
 * Declares what runs each worker queue of a topology, keyed by queue id (the subscriber's name, or the
 * command type). The worker image bundles the module that exports it (`workers` in postbox.config.ts);
 * `runWorkers` refuses a queue without handlers, or handlers of a queue that is not a worker.
 */
export function defineWorkers<T extends AnyTopology>(topology: T, queues: Readonly<Record<string, WorkerQueueDefinition<T>>>): WorkerDefinitions<T> {
  return { topology, queues };
}
