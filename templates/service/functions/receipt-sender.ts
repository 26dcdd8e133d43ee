import { createSqsHandler } from 'postbox';
import { receiptHandlers } from '../src/service-handlers.ts';
import { serviceTopology } from '../src/service-topology.ts';

export const handler = createSqsHandler(serviceTopology, { queue: 'receipt-send', handlers: receiptHandlers });
