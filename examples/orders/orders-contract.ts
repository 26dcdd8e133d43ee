import { contractOf } from 'postbox';
import { ordersTopology } from './orders-topology.ts';

/** What `orders` offers other services: its topics and the events they carry, with schemas and versions. */
export const ordersContract = contractOf(ordersTopology, { stages: ['local', 'dev', 'prod'] });
