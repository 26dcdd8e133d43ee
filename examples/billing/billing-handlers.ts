import type { QueueHandlers } from 'postbox';
import type { billingTopology } from './billing-topology.ts';

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

/** Charges records a charge for every placed order and a refund for every cancelled one. */
export const chargeHandlers: QueueHandlers<typeof billingTopology, 'charges'> = {
  'order.placed': ({ data }, { logger, attempt }) => {
    // The demo's orders whose id starts with `flaky-` fail on their first attempt, to show a retry.
    if (data.orderId.startsWith('flaky-') && attempt === 1) throw new Error(`simulated transient failure of ${data.orderId} (first attempt only)`);
    logger.info('charge recorded', { orderId: data.orderId, customerId: data.customerId, amount: money(data.totalCents, data.currency) });
  },
  'order.cancelled': ({ data }, { logger }) => {
    logger.info('refund recorded', { orderId: data.orderId, reason: data.reason });
  },
};
