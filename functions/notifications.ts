import { notificationHandlers } from '../lib/example/orders-handlers.ts';
import { ordersTopology } from '../lib/example/orders-topology.ts';
import { createSqsHandler } from '../lib/runtime/lambda/create-sqs-handler.ts';

export const handler = createSqsHandler(ordersTopology, { queue: 'notifications', handlers: notificationHandlers });
