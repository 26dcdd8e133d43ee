import type { AnyTopology } from '../../../messages/message-types.ts';
import type { WorkerQueueId } from '../../../topology/queue-types.ts';
import type { MessageHandlers, QueueHandlers } from '../handler-context.ts';
import type { UniqueJobs } from './unique-jobs.ts';

/** What runs one worker queue: a handler per message type, and optionally which jobs must not run twice at once. */
export interface WorkerQueueDefinition<Handlers> {
  readonly handlers: Handlers;
  /** @default none: every message runs */
  readonly uniqueJobs?: UniqueJobs;
  /** Messages read ahead while every handler slot is busy (see PollingConsumerOptions.prefetch). @default 0 */
  readonly prefetch?: number;
}

/** Every worker queue of a topology, and no other queue, each with exactly its handlers. */
export type WorkerQueueDefinitions<T extends AnyTopology> = {
  readonly [Q in WorkerQueueId<T>]: WorkerQueueDefinition<QueueHandlers<T, Q>>;
};

/** What runs each worker queue, by queue id: the one shape from the config's `workers` module to each consumer. */
export type WorkerQueues<T extends AnyTopology = AnyTopology> = Readonly<Record<string, WorkerQueueDefinition<MessageHandlers<T>>>>;

/** The worker queues of a topology with what runs them: the default export of the config's `workers` module. */
export interface WorkerDefinitions<T extends AnyTopology = AnyTopology> {
  readonly topology: T;
  readonly queues: WorkerQueues<T>;
}

/**
 * Declares what runs each worker queue of a topology, keyed by queue id (the subscriber's name, or the
 * command's queue id, `invoice-generate`). A missing worker queue, a queue that is not a worker, and a
 * handler map that does not match its queue fail type-checking; `runWorkers` checks the same when it starts.
 * The worker image bundles the module that exports it (`workers` in postbox.config.ts).
 *
 * @example
 * // src/shop-workers.ts: the config's `workers` module
 * import { defineWorkers } from 'postbox';
 * import { shopTopology } from './shop-topology.ts';
 *
 * export default defineWorkers(shopTopology, {
 *   'invoice-generate': { handlers: { 'invoice.generate': async ({ data }, { signal }) => renderInvoice(data.orderId, signal) } },
 * });
 */
export function defineWorkers<T extends AnyTopology>(topology: T, queues: WorkerQueueDefinitions<T>): WorkerDefinitions<T> {
  return { topology, queues: queues as WorkerDefinitions<T>['queues'] };
}

/**
 * The workers of a topology whose worker queues are all of kind http: the topology alone says what runs them, so
 * the worker image and `postbox worker` run it when the config names no workers module.
 */
export function workersOfTopology<T extends AnyTopology>(topology: T): WorkerDefinitions<T> {
  return { topology, queues: {} };
}

/** Whether a topology declaration's worker queues, one at least, are all of kind http: it needs no workers module. */
export function needsNoWorkersModule(topology: AnyTopology): boolean {
  const kinds = [...Object.values(topology.subscribers ?? {}), ...Object.values(topology.commandHandlers ?? {})].map((entry) => (entry as { handler: { kind: string } }).handler.kind);
  return kinds.includes('http') && !kinds.includes('worker');
}
