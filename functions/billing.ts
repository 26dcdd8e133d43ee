import { createSqsHandler } from 'postbox';
import { billingHandlers } from '../examples/orders/orders-handlers.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';

export const handler = createSqsHandler(ordersTopology, { queue: 'billing', handlers: billingHandlers });
