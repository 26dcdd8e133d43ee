import { defineTopology } from 'postbox';
import { ordersContract } from '../orders/orders-contract.ts';

/**
 * Billing, a service of its own: it charges placed orders and refunds cancelled ones, from orders' topic. It knows
 * orders only by its contract; orders does not know billing exists.
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
    },
  },
});
