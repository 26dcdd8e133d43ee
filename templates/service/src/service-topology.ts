import * as z from 'zod';
import { defineTopology } from 'postbox';

export const PaymentReceived = z.object({
  paymentId: z.string().min(1),
  amountCents: z.int().nonnegative(),
  currency: z.string().length(3),
});

export const SendReceipt = z.object({
  paymentId: z.string().min(1),
  email: z.email(),
});

/**
 * The messages of {{name}}: one event that two subscribers receive (the ledger in Lambda, the reports in a
 * long-running worker) and one command handled in Lambda.
 */
export const serviceTopology = defineTopology({
  app: '{{name}}',
  events: {
    'payment.received': { schema: PaymentReceived, version: 1, description: 'A payment arrived.' },
  },
  commands: {
    'receipt.send': { schema: SendReceipt, version: 1, description: 'E-mail the receipt of a payment.' },
  },
  topics: {
    payments: { events: ['payment.received'] },
  },
  subscribers: {
    ledger: { topic: 'payments', events: ['payment.received'], handler: { kind: 'lambda', entry: 'functions/ledger.ts' } },
    reports: { topic: 'payments', events: ['payment.received'], handler: { kind: 'worker', timeoutSeconds: 300 } },
  },
  commandHandlers: {
    'receipt.send': { handler: { kind: 'lambda', entry: 'functions/receipt-sender.ts' } },
  },
});
