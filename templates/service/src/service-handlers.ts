import { UnrecoverableError, type QueueHandlers } from 'postbox';
import type { serviceTopology } from './service-topology.ts';

type Service = typeof serviceTopology;

/** The ledger books every payment; a payment of nothing is refused for good (dead-lettered, not retried). */
export const ledgerHandlers: QueueHandlers<Service, 'ledger'> = {
  'payment.received': ({ data }, { logger }) => {
    if (data.amountCents === 0) throw new UnrecoverableError(`Payment ${data.paymentId} is of 0 ${data.currency}; nothing to book.`, { code: 'EMPTY_PAYMENT' });
    logger.info('payment booked', { paymentId: data.paymentId, amountCents: data.amountCents, currency: data.currency });
  },
};

/** The reports worker adds every payment to the daily report. */
export const reportHandlers: QueueHandlers<Service, 'reports'> = {
  'payment.received': ({ data }, { logger }) => {
    logger.info('payment added to the daily report', { paymentId: data.paymentId });
  },
};

/** The receipt sender e-mails a receipt. */
export const receiptHandlers: QueueHandlers<Service, 'receipt-send'> = {
  'receipt.send': ({ data }, { logger }) => {
    logger.info('receipt e-mail queued', { paymentId: data.paymentId, email: data.email });
  },
};
