import { notificationHandlers } from '../examples/orders/orders-handlers.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { createSqsHandler } from '../lib/runtime/consuming/lambda/create-sqs-handler.ts';

export const handler = createSqsHandler(ordersTopology, { queue: 'notifications', handlers: notificationHandlers });
