import * as z from 'zod/mini';
import { defineTopology } from 'postbox';

/**
 * The example application: what a team writes to declare its messages once.
 * Orders are placed and cancelled; notifications react in Lambda, analytics
 * crunches cancellations in a long-running worker, and invoices are generated
 * by a command handler. Billing, a service of its own (examples/billing),
 * subscribes to the `orders` topic through examples/orders/orders-contract.ts. Its schemas use zod/mini, which keeps the
 * Lambda bundles small; zod's chained API works as well.
 */
export const OrderPlaced = z.object({
  orderId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
  totalCents: z.int().check(z.nonnegative()),
  currency: z.string().check(z.length(3)),
});

export const OrderCancelled = z.object({
  orderId: z.string().check(z.minLength(1)),
  reason: z.string().check(z.minLength(1)),
});

export const GenerateInvoice = z.object({
  orderId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
  totalCents: z.int().check(z.nonnegative()),
  currency: z.string().check(z.length(3)),
});

export const ordersTopology = defineTopology({
  app: 'orders',
  events: {
    'order.placed': { schema: OrderPlaced, version: 1, description: 'A customer placed an order.' },
    'order.cancelled': { schema: OrderCancelled, version: 1, description: 'An order was cancelled before shipping.' },
  },
  commands: {
    'invoice.generate': { schema: GenerateInvoice, version: 1, description: 'Produce the invoice of an order.' },
  },
  topics: {
    orders: { events: ['order.placed', 'order.cancelled'] },
  },
  subscribers: {
    notifications: {
      topic: 'orders',
      events: ['order.placed', 'order.cancelled'],
      handler: { kind: 'lambda', entry: 'functions/notifications.ts', timeoutSeconds: 15, maxBatchingWindowSeconds: 2 },
      // A customer gets one e-mail per order event, however often SNS and SQS deliver it.
      idempotency: { lifetimeSeconds: 86_400 },
    },
    analytics: {
      topic: 'orders',
      events: ['order.cancelled'],
      handler: { kind: 'worker', timeoutSeconds: 3600, concurrency: 4 },
      queue: { maxReceiveCount: 3 },
    },
  },
  commandHandlers: {
    'invoice.generate': {
      handler: { kind: 'lambda', entry: 'functions/invoice-generator.ts', timeoutSeconds: 60 },
      queue: { backoff: { baseSeconds: 10, capSeconds: 600 } },
    },
  },
});
