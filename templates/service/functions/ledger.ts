import { createSqsHandler } from 'postbox';
import { ledgerHandlers } from '../src/service-handlers.ts';
import { serviceTopology } from '../src/service-topology.ts';

export const handler = createSqsHandler(serviceTopology, { queue: 'ledger', handlers: ledgerHandlers });
