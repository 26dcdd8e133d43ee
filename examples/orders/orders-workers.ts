import { defineWorkers } from 'postbox';
import { analyticsHandlers, analyticsUniqueJobs } from './orders-handlers.ts';
import { ordersTopology } from './orders-topology.ts';

/** What the example's worker image and `postbox worker` run: the analytics subscriber, a cancellation at a time per order. */
export default defineWorkers(ordersTopology, {
  analytics: { handlers: analyticsHandlers, uniqueJobs: analyticsUniqueJobs },
});
