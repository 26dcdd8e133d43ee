import { describe, expect, it } from 'vitest';
import { billingTopology } from '../../examples/billing/billing-topology.ts';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessageCatalog } from '../../lib/messages/message-catalog.ts';
import { resolveQueueOf, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { TopologyError } from '../../lib/topology/topology-error.ts';
import { dispatchTopology } from '../fixtures/dispatch-service/dispatch-topology.ts';
import { parcelsTopology } from '../fixtures/parcels-service/parcels-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const topologies = { ordersTopology, billingTopology, paymentsTopology, parcelsTopology, dispatchTopology };

describe('resolveQueueOf (a consumer resolving only its own queue at cold start)', () => {
  for (const [name, topology] of Object.entries(topologies)) {
    it(`resolves every queue of ${name} as resolveTopology does, with the same message catalog`, () => {
      const whole = resolveTopology(topology, { stage: 'prod' });
      for (const queue of whole.queues) {
        const one = resolveQueueOf(topology, { stage: 'prod', queue: queue.id });
        expect(one.queue).toEqual(queue);
        expect([one.app, one.prefix]).toEqual([whole.app, whole.prefix]);
        const catalog = new MessageCatalog(one);
        const wholeCatalog = new MessageCatalog(whole);
        expect(catalog.types()).toEqual(wholeCatalog.types());
        for (const type of catalog.types()) expect(catalog.get(type)).toEqual(wholeCatalog.get(type));
        expect(one.queueIds()).toEqual(whole.queues.map((q) => q.id));
      }
    });
  }

  it('says when the topology has no such queue, and names those it has', () => {
    const one = resolveQueueOf(ordersTopology, { stage: 'prod', queue: 'nope' });
    expect(one.queue).toBeUndefined();
    expect(one.queueIds()).toEqual(resolveTopology(ordersTopology, { stage: 'prod' }).queues.map((q) => q.id));
  });

  it("refuses the queue's own invalid declaration and a bad stage with a TopologyError", () => {
    const broken = { ...ordersTopology, subscribers: { ...ordersTopology.subscribers, notifications: { ...ordersTopology.subscribers!.notifications, queue: { maxReceiveCount: 0 } } } };
    expect(() => resolveQueueOf(broken as never, { stage: 'prod', queue: 'notifications' })).toThrow(TopologyError);
    expect(() => resolveQueueOf(broken as never, { stage: 'prod', queue: 'notifications' })).toThrow(/subscribers\.notifications\.queue\.maxReceiveCount/);
    expect(() => resolveQueueOf(ordersTopology, { stage: 'Prod', queue: 'notifications' })).toThrow(/stage 'Prod'/);
  });
});
