import { defineTopology } from 'postbox';
import { ordersContract } from '../orders/orders-contract.ts';

/**
 * Billing: a service of its own that charges placed orders and refunds cancelled ones. It owns no topic: it
 * subscribes to the `orders` service's topic, whose events (schemas and versions) come from orders' contract.
 */
export const billingTopology = defineTopology({
  app: 'billing',
  events: { ...ordersContract.events },
  topics: {},
  externalTopics: {
    orders: { service: 'orders', topic: 'orders', events: ['order.placed', 'order.cancelled'], contract: ordersContract },
  },
  subscribers: {
    charges: {
      topic: 'orders',
      events: ['order.placed', 'order.cancelled'],
      handler: { kind: 'lambda', entry: 'functions/charges.ts', timeoutSeconds: 30 },
      queue: { maxReceiveCount: 3, backoff: { baseSeconds: 1, capSeconds: 1 } },
    },
  },
});
