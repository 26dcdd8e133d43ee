import * as z from 'zod';
import { defineTopology } from '../../lib/topology/define-topology.ts';

/** A topology for runtime tests: short backoffs and few receives, so retries play out in seconds. */
export const Payment = z.object({ paymentId: z.string().min(1), amountCents: z.number().int().positive() });
export const LedgerEntry = z.object({ account: z.string(), sequence: z.number().int() });
export const BuildReport = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/) });
export const ArchiveReceipt = z.object({ paymentId: z.string().min(1) });

const lambda = { kind: 'lambda', entry: 'functions/notifications.ts', timeoutSeconds: 5 } as const;
const quickRetries = { maxReceiveCount: 3, backoff: { baseSeconds: 1, capSeconds: 2 } };

export const paymentsTopology = defineTopology({
  app: 'pay',
  events: {
    'payment.received': { schema: Payment },
    'payment.refunded': { schema: Payment },
    'ledger.entry': { schema: LedgerEntry },
  },
  commands: { 'report.build': { schema: BuildReport }, 'receipt.archive': { schema: ArchiveReceipt } },
  topics: {
    payments: { events: ['payment.received', 'payment.refunded'] },
    ledger: { events: ['ledger.entry'], fifo: true },
  },
  subscribers: {
    accounting: { topic: 'payments', events: ['payment.received', 'payment.refunded'], handler: lambda, queue: quickRetries },
    fraud: { topic: 'payments', events: ['payment.refunded'], handler: lambda },
    audit: { topic: 'ledger', events: ['ledger.entry'], handler: lambda, queue: quickRetries },
    // A long-task worker whose visibility (2 s) is shorter than its tasks: the heartbeat must keep them.
    archive: {
      topic: 'payments',
      events: ['payment.received'],
      handler: { kind: 'worker', timeoutSeconds: 8, concurrency: 4 },
      queue: { ...quickRetries, visibilityTimeoutSeconds: 2 },
    },
  },
  commandHandlers: {
    'report.build': { handler: lambda, queue: { ...quickRetries, maxMessageSizeBytes: 2048 } },
    // A child task of the archive worker's jobs, enqueued with a delay.
    'receipt.archive': { handler: { kind: 'worker', timeoutSeconds: 8 }, queue: quickRetries },
  },
});
