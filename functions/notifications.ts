import { createSqsHandler } from 'postbox';
import { notificationHandlers } from '../examples/orders/orders-handlers.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';

export const handler = createSqsHandler(ordersTopology, { queue: 'notifications', handlers: notificationHandlers });
