import { createSqsHandler } from 'postbox';
import { invoiceHandlers } from '../examples/orders/orders-handlers.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';

export const handler = createSqsHandler(ordersTopology, { queue: 'invoice-generate', handlers: invoiceHandlers });
