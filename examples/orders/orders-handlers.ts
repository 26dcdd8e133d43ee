import { UnrecoverableError, type QueueHandlers, type UniqueJobs } from 'postbox';
import type { ordersTopology } from './orders-topology.ts';

type Orders = typeof ordersTopology;

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

/** The demo's orders whose id starts with `flaky-` fail on their first attempt, to show a retry. */
function failFirstAttemptOfFlakyOrders(orderId: string, attempt: number): void {
  if (orderId.startsWith('flaky-') && attempt === 1) throw new Error(`simulated transient failure of ${orderId} (first attempt only)`);
}

/** Billing records a charge for every placed order and a refund for every cancelled one. */
export const billingHandlers: QueueHandlers<Orders, 'billing'> = {
  'order.placed': ({ data }, { logger, attempt }) => {
    failFirstAttemptOfFlakyOrders(data.orderId, attempt);
    logger.info('charge recorded', { orderId: data.orderId, customerId: data.customerId, amount: money(data.totalCents, data.currency) });
  },
  'order.cancelled': ({ data }, { logger }) => {
    logger.info('refund recorded', { orderId: data.orderId, reason: data.reason });
  },
};

/** Notifications tells the customer what happened to their order. */
export const notificationHandlers: QueueHandlers<Orders, 'notifications'> = {
  'order.placed': ({ data }, { logger }) => {
    logger.info('confirmation e-mail queued', { customerId: data.customerId, subject: `Order ${data.orderId} confirmed` });
  },
  'order.cancelled': ({ data }, { logger }) => {
    logger.info('cancellation e-mail queued', { subject: `Order ${data.orderId} cancelled`, reason: data.reason });
  },
};

/** The invoice generator writes one invoice line per order; an order of nothing cannot be invoiced. */
export const invoiceHandlers: QueueHandlers<Orders, 'invoice-generate'> = {
  'invoice.generate': ({ data }, { logger }) => {
    if (data.totalCents === 0) throw new UnrecoverableError(`Order ${data.orderId} totals 0 ${data.currency}; nothing to invoice.`, { code: 'EMPTY_INVOICE' });
    logger.info('invoice line written', { orderId: data.orderId, line: `${data.orderId};${data.customerId};${money(data.totalCents, data.currency)}` });
  },
};

/** Analytics, a long-running worker, adds each cancellation to the churn report. */
export const analyticsHandlers: QueueHandlers<Orders, 'analytics'> = {
  'order.cancelled': async ({ data }, { logger }) => {
    logger.info('cancellation added to the churn report', { orderId: data.orderId, reason: data.reason });
  },
};

/**
 * One worker at a time adds an order to the churn report: a second
 * cancellation of the same order (a duplicate delivery) that arrives while the
 * first runs, on any worker, is skipped.
 */
export const analyticsUniqueJobs: UniqueJobs = { key: (message) => (message.data as { orderId: string }).orderId, policy: 'skip' };
