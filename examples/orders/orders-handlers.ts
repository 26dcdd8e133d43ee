import { idempotent, UnrecoverableError, type QueueHandlers, type UniqueJobs } from 'postbox';
import type { ordersTopology } from './orders-topology.ts';

type Orders = typeof ordersTopology;

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

/**
 * Notifications tells the customer what happened to their order, once (its queue declares `idempotency`). A
 * confirmation is keyed by its order: the order service may publish one placement twice as two messages.
 */
export const notificationHandlers: QueueHandlers<Orders, 'notifications'> = {
  'order.placed': idempotent(
    ({ data }, { logger }) => {
      logger.info('confirmation e-mail queued', { customerId: data.customerId, subject: `Order ${data.orderId} confirmed` });
      return { subject: `Order ${data.orderId} confirmed` };
    },
    { key: (message) => `order.placed:${message.data.orderId}` },
  ),
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
