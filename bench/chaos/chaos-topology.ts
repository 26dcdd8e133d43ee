import { ordersTopology } from '../../lib/example/orders-topology.ts';

/** Backoff of the chaos run: seconds, not minutes, so that a run drains in minutes. */
const backoff = { baseSeconds: 1, capSeconds: 4 };

/**
 * The example topology — its events, command, topic, subscribers and queues —
 * with its time limits scaled down to the chaos run: a Lambda times out after
 * 3 s instead of 15–60 s, the analytics worker after 5 s instead of an hour.
 * Everything else (fan-out, filter policies, receive counts) is the example's.
 */
export const chaosTopology = {
  ...ordersTopology,
  subscribers: {
    billing: { ...ordersTopology.subscribers.billing, handler: { ...ordersTopology.subscribers.billing.handler, timeoutSeconds: 3 }, queue: { backoff } },
    notifications: {
      ...ordersTopology.subscribers.notifications,
      handler: { ...ordersTopology.subscribers.notifications.handler, timeoutSeconds: 3, maxBatchingWindowSeconds: 0 },
      queue: { backoff },
    },
    analytics: {
      ...ordersTopology.subscribers.analytics,
      handler: { ...ordersTopology.subscribers.analytics.handler, timeoutSeconds: 5 },
      queue: { ...ordersTopology.subscribers.analytics.queue, backoff },
    },
  },
  commandHandlers: {
    'invoice.generate': {
      handler: { ...ordersTopology.commandHandlers['invoice.generate'].handler, timeoutSeconds: 3 },
      queue: { backoff },
    },
  },
} satisfies typeof ordersTopology;

export type ChaosTopology = typeof chaosTopology;
