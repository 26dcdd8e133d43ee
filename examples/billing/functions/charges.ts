import { createSqsHandler } from 'postbox';
import { chargeHandlers } from '../billing-handlers.ts';
import { billingTopology } from '../billing-topology.ts';

export const handler = createSqsHandler(billingTopology, { queue: 'charges', handlers: chargeHandlers });
