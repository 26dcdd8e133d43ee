import { describe, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { contractOf, createSqsHandler, defineTopology, defineWorkers, type QueueHandlers } from 'postbox';
import type { QueueId, QueueMessageType, WorkerQueueId } from '../../lib/topology/queue-types.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

/**
 * Checked by `tsc --noEmit` (part of `npm test`): each `@ts-expect-error` line
 * is a handler map that must not compile; were it accepted, tsc would fail on
 * the unused directive. The calls sit in functions that never run: only their
 * types matter here.
 */
type Payments = typeof paymentsTopology;
const noop = () => undefined;
const stage = 'dev';

describe('handler maps typed per queue', () => {
  it('knows each queue of the topology and the message types that arrive on it', () => {
    expectTypeOf<QueueId<Payments>>().toEqualTypeOf<'accounting' | 'fraud' | 'audit' | 'archive' | 'report-build' | 'receipt-archive'>();
    expectTypeOf<QueueMessageType<Payments, 'accounting'>>().toEqualTypeOf<'payment.received' | 'payment.refunded'>();
    expectTypeOf<QueueMessageType<Payments, 'fraud'>>().toEqualTypeOf<'payment.refunded'>();
    expectTypeOf<QueueMessageType<Payments, 'report-build'>>().toEqualTypeOf<'report.build'>();
    expectTypeOf<WorkerQueueId<Payments>>().toEqualTypeOf<'archive' | 'receipt-archive'>();
  });

  it('gives each handler the data of its message type', () => {
    expectTypeOf<Parameters<NonNullable<QueueHandlers<Payments, 'report-build'>['report.build']>>[0]['data']>().toEqualTypeOf<{ month: string }>();
  });

  it('createSqsHandler accepts exactly the handlers of its queue', () => {
    const check = () => {
      createSqsHandler(paymentsTopology, { stage, queue: 'fraud', handlers: { 'payment.refunded': noop } });
      createSqsHandler(paymentsTopology, { stage, queue: 'report-build', handlers: { 'report.build': noop } });
      // A type the queue does not receive:
      // @ts-expect-error 'payment.received' never arrives on 'fraud'
      createSqsHandler(paymentsTopology, { stage, queue: 'fraud', handlers: { 'payment.refunded': noop, 'payment.received': noop } });
      // A type the queue receives, without its handler:
      // @ts-expect-error 'payment.refunded' arrives on 'accounting' and has no handler
      createSqsHandler(paymentsTopology, { stage, queue: 'accounting', handlers: { 'payment.received': noop } });
      // @ts-expect-error 'ledger' is a topic, not a queue of the topology
      createSqsHandler(paymentsTopology, { stage, queue: 'ledger', handlers: {} });
      // @ts-expect-error a command's queue is its queue id ('report-build'), not its type
      createSqsHandler(paymentsTopology, { stage, queue: 'report.build', handlers: { 'report.build': noop } });
    };
    expectTypeOf(check).toBeFunction();
  });

  it('createSqsHandler refuses a map typed for another queue', () => {
    const check = (accountingHandlers: QueueHandlers<Payments, 'accounting'>) => {
      // @ts-expect-error the accounting handlers handle 'payment.received', which never arrives on 'fraud'
      createSqsHandler(paymentsTopology, { stage, queue: 'fraud', handlers: accountingHandlers });
    };
    expectTypeOf(check).toBeFunction();
  });

  it('defineWorkers wants every worker queue, and only worker queues, each with exactly its handlers', () => {
    const archive = { handlers: { 'payment.received': noop } };
    const receipts = { handlers: { 'receipt.archive': noop } };
    const check = () => {
      defineWorkers(paymentsTopology, { archive, 'receipt-archive': receipts });
      // @ts-expect-error the worker queue 'receipt-archive' is missing
      defineWorkers(paymentsTopology, { archive });
      // @ts-expect-error 'fraud' is a Lambda queue, not a worker queue
      defineWorkers(paymentsTopology, { archive, 'receipt-archive': receipts, fraud: { handlers: { 'payment.refunded': noop } } });
      // @ts-expect-error 'nowhere' is not a queue of the topology
      defineWorkers(paymentsTopology, { archive, 'receipt-archive': receipts, nowhere: { handlers: {} } });
      // @ts-expect-error 'payment.refunded' never arrives on 'archive'
      defineWorkers(paymentsTopology, { archive: { handlers: { 'payment.received': noop, 'payment.refunded': noop } }, 'receipt-archive': receipts });
      // @ts-expect-error 'receipt.archive' arrives on 'receipt-archive' and has no handler
      defineWorkers(paymentsTopology, { archive, 'receipt-archive': { handlers: {} } });
    };
    expectTypeOf(check).toBeFunction();
  });

  it('defineTopology still checks the names a declaration ties together', () => {
    const events = { 'a.happened': { schema: z.object({}) } };
    const worker = { kind: 'worker' } as const;
    const check = () => {
      defineTopology({ app: 'x', events, topics: { t: { events: ['a.happened'] } }, subscribers: { s: { topic: 't', events: ['a.happened'], handler: worker } } });
      // @ts-expect-error 'b.happened' is not a declared event
      defineTopology({ app: 'x', events, topics: { t: { events: ['a.happened'] } }, subscribers: { s: { topic: 't', events: ['b.happened'], handler: worker } } });
      // @ts-expect-error 'u' is not a declared topic
      defineTopology({ app: 'x', events, topics: { t: { events: ['a.happened'] } }, subscribers: { s: { topic: 'u', events: ['a.happened'], handler: worker } } });
      // @ts-expect-error 'c.do' is not a declared command
      defineTopology({ app: 'x', events, topics: { t: { events: ['a.happened'] } }, commandHandlers: { 'c.do': { handler: worker } } });
    };
    expectTypeOf(check).toBeFunction();
  });

  describe("a subscriber of another service's topic", () => {
    const orders = defineTopology({
      app: 'orders',
      events: {
        'order.placed': { schema: z.object({ orderId: z.string(), totalCents: z.number().int() }), version: 2 },
        'order.cancelled': { schema: z.object({ orderId: z.string(), reason: z.string() }) },
      },
      commands: { 'invoice.generate': { schema: z.object({ orderId: z.string() }) } },
      topics: { orders: { events: ['order.placed', 'order.cancelled'] } },
      commandHandlers: { 'invoice.generate': { handler: { kind: 'worker' } } },
    });
    const ordersContract = contractOf(orders);
    const worker = { kind: 'worker' } as const;
    const billing = defineTopology({
      app: 'billing',
      events: { ...ordersContract.events },
      topics: {},
      externalTopics: { orders: { service: 'orders', topic: 'orders', events: ['order.placed', 'order.cancelled'], contract: ordersContract } },
      subscribers: { billing: { topic: 'orders', events: ['order.placed'], handler: { kind: 'lambda', entry: 'functions/billing.ts' } } },
    });
    type Billing = typeof billing;

    it("exports the events its publisher's topics carry, never its commands", () => {
      expectTypeOf<keyof typeof ordersContract.events>().toEqualTypeOf<'order.placed' | 'order.cancelled'>();
    });

    it('types its handlers by the schemas it declared from the contract', () => {
      expectTypeOf<QueueId<Billing>>().toEqualTypeOf<'billing'>();
      expectTypeOf<QueueMessageType<Billing, 'billing'>>().toEqualTypeOf<'order.placed'>();
      expectTypeOf<Parameters<NonNullable<QueueHandlers<Billing, 'billing'>['order.placed']>>[0]['data']>().toEqualTypeOf<{ orderId: string; totalCents: number }>();
      const check = () => {
        createSqsHandler(billing, { stage, queue: 'billing', handlers: { 'order.placed': (message) => message.data.totalCents } });
        // @ts-expect-error 'order.cancelled' is carried by the topic but never arrives on 'billing'
        createSqsHandler(billing, { stage, queue: 'billing', handlers: { 'order.placed': noop, 'order.cancelled': noop } });
        // @ts-expect-error 'customer' is no field of the contract's 'order.placed'
        createSqsHandler(billing, { stage, queue: 'billing', handlers: { 'order.placed': (message) => message.data.customer } });
      };
      expectTypeOf(check).toBeFunction();
    });

    it('defineTopology lets a subscriber name an external topic, and only declared ones and their declared events', () => {
      const events = { ...ordersContract.events };
      const check = () => {
        defineTopology({ app: 'x', events, topics: {}, externalTopics: { o: { arn: 'arn:aws:sns:eu-west-1:111122223333:orders-prod-orders', events: ['order.placed'] } }, subscribers: { s: { topic: 'o', events: ['order.placed'], handler: worker } } });
        // @ts-expect-error 'p' is neither a topic nor an external topic
        defineTopology({ app: 'x', events, topics: {}, externalTopics: { o: { service: 'orders', topic: 'orders', events: ['order.placed'] } }, subscribers: { s: { topic: 'p', events: ['order.placed'], handler: worker } } });
        // @ts-expect-error 'order.shipped' is not a declared event
        defineTopology({ app: 'x', events, topics: {}, externalTopics: { o: { service: 'orders', topic: 'orders', events: ['order.shipped'] } } });
      };
      expectTypeOf(check).toBeFunction();
    });
  });
});
