import { contractOf } from 'postbox';
import { ordersTopology } from './orders-topology.ts';

/**
 * What orders promises the services that subscribe to its events: its topic and the events it carries, with their
 * schemas and versions. Other services import this module (or the package it is published in), never the topology.
 */
export const ordersContract = contractOf(ordersTopology, { stages: ['local', 'dev', 'prod'] });
