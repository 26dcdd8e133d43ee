import { contractOf } from 'postbox';
import { ordersTopology } from './orders-topology.ts';

/**
 * What `orders` offers other services: its topics and the events they carry, with schemas and versions. Any stage:
 * billing runs beside it under whatever stage `postbox dev` and postbox/testing pick.
 */
export const ordersContract = contractOf(ordersTopology);
