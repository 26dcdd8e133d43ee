import { ordersTopology } from '../../examples/orders/orders-topology.ts';

type Orders = typeof ordersTopology;
interface HandledEntry {
  readonly handler: { readonly kind: 'lambda' | 'worker'; readonly timeoutSeconds?: number };
  readonly queue?: object;
  readonly idempotency?: object;
}

/** Time limits of the chaos run: seconds, not minutes or an hour, so that a run drains in minutes. */
const TIMEOUT_SECONDS = { lambda: 3, worker: 5 } as const;
const backoff = { baseSeconds: 1, capSeconds: 4 };

function scaled<E extends HandledEntry>(entry: E, idempotent: boolean): E {
  const { kind } = entry.handler;
  const handler = { ...entry.handler, timeoutSeconds: TIMEOUT_SECONDS[kind], ...(kind === 'lambda' && { maxBatchingWindowSeconds: 0 }) };
  const { idempotency: _, ...rest } = entry;
  return { ...rest, handler, queue: { ...entry.queue, backoff }, ...(idempotent && { idempotency: {} }) } as E;
}

const mapEntries = <E extends HandledEntry>(entries: Readonly<Record<string, E>> | undefined, idempotent: boolean) =>
  Object.fromEntries(Object.entries(entries ?? {}).map(([name, entry]) => [name, scaled(entry, idempotent)]));

/** The chaos topology with every queue idempotent (the second pass) or none (the first: at-least-once as it comes). */
export function chaosTopologyOf(idempotent: boolean): Orders {
  return {
    ...ordersTopology,
    subscribers: mapEntries(ordersTopology.subscribers, idempotent),
    commandHandlers: mapEntries(ordersTopology.commandHandlers, idempotent),
  } as Orders;
}

/**
 * The example topology — its events, command, topic, subscribers, queues,
 * filter policies and receive counts — with its time limits scaled down to the
 * chaos run: every Lambda times out after 3 s, the analytics worker after 5 s
 * instead of an hour, and backoffs run from 1 to 4 s. No queue is idempotent.
 */
export const chaosTopology = chaosTopologyOf(false);

export type ChaosTopology = Orders;
