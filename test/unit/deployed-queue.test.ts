import { afterEach, describe, expect, it } from 'vitest';
import { billingTopology } from '../../examples/billing/billing-topology.ts';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { DEPLOYED_ENVIRONMENT } from '../../lib/messages/wire-contract.ts';
import { QueueRuntime } from '../../lib/runtime/consuming/queue-runtime.ts';
import { decodeDeployedQueue, encodeDeployedQueue, MAX_DEPLOYED_QUEUE_BYTES } from '../../lib/topology/deployed-queue.ts';
import { resolveQueueOf, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { dispatchTopology } from '../fixtures/dispatch-service/dispatch-topology.ts';
import { parcelsTopology } from '../fixtures/parcels-service/parcels-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const topologies = { ordersTopology, billingTopology, paymentsTopology, parcelsTopology, dispatchTopology };

/** The orders topology with the notifications subscriber's declaration changed by `change`. */
function editedNotifications(change: Record<string, unknown>): typeof ordersTopology {
  const notifications = { ...ordersTopology.subscribers!.notifications, ...change };
  return { ...ordersTopology, subscribers: { ...ordersTopology.subscribers, notifications } } as typeof ordersTopology;
}

describe('a queue deployed resolved (POSTBOX_RESOLVED_QUEUE), read at cold start instead of resolving its declaration', () => {
  for (const [name, topology] of Object.entries(topologies)) {
    it(`reads back every queue of ${name} as resolveQueueOf resolves it`, () => {
      for (const queue of resolveTopology(topology, { stage: 'prod' }).queues) {
        const text = encodeDeployedQueue(topology, 'prod', queue);
        expect(text, queue.id).toBeDefined();
        const deployed = decodeDeployedQueue(topology, 'prod', queue.id, text)!;
        const resolved = resolveQueueOf(topology, { stage: 'prod', queue: queue.id });
        expect(deployed.queue).toEqual(resolved.queue);
        expect([deployed.app, deployed.stage, deployed.prefix, deployed.events, deployed.commands]).toEqual([
          resolved.app,
          resolved.stage,
          resolved.prefix,
          resolved.events,
          resolved.commands,
        ]);
        expect(deployed.queueIds()).toEqual(resolved.queueIds());
      }
    });
  }

  const notifications = resolveTopology(ordersTopology, { stage: 'prod' }).queues.find((queue) => queue.id === 'notifications')!;
  const deployed = encodeDeployedQueue(ordersTopology, 'prod', notifications);

  it("is not read when the queue's declaration changed after synthesis (code deployed without its environment)", () => {
    expect(decodeDeployedQueue(editedNotifications({ queue: { maxReceiveCount: 9 } }), 'prod', 'notifications', deployed)).toBeUndefined();
    expect(decodeDeployedQueue(editedNotifications({ events: ['order.placed'] }), 'prod', 'notifications', deployed)).toBeUndefined();
  });

  it('is not read for another stage, another queue, or text that is not one', () => {
    expect(decodeDeployedQueue(ordersTopology, 'dev', 'notifications', deployed)).toBeUndefined();
    expect(decodeDeployedQueue(ordersTopology, 'prod', 'invoice-generate', deployed)).toBeUndefined();
    expect(decodeDeployedQueue(ordersTopology, 'prod', 'notifications', '{not json')).toBeUndefined();
    expect(decodeDeployedQueue(ordersTopology, 'prod', 'notifications', 'null')).toBeUndefined();
    expect(decodeDeployedQueue(ordersTopology, 'prod', 'notifications', undefined)).toBeUndefined();
  });

  it('is left out of the environment when it would take more than its share of Lambda’s 4 KB', () => {
    const long = { ...notifications, messageTypes: Array.from({ length: 200 }, (_, i) => `order.type-${i}`) };
    expect(JSON.stringify(long).length).toBeGreaterThan(MAX_DEPLOYED_QUEUE_BYTES);
    expect(encodeDeployedQueue(ordersTopology, 'prod', long)).toBeUndefined();
  });

  describe('QueueRuntime', () => {
    afterEach(() => {
      delete process.env[DEPLOYED_ENVIRONMENT.resolvedQueue];
    });

    it('takes its queue from the environment when it was resolved from the same declaration', () => {
      // A setting no declaration gives: seen only if the runtime read the environment rather than resolving.
      const marked = JSON.parse(deployed!) as { queue: { visibilityTimeoutSeconds: number } };
      marked.queue.visibilityTimeoutSeconds = 4321;
      process.env[DEPLOYED_ENVIRONMENT.resolvedQueue] = JSON.stringify(marked);
      const runtime = new QueueRuntime(ordersTopology, { stage: 'prod', queue: 'notifications', handlers: { 'order.placed': () => undefined, 'order.cancelled': () => undefined }, idempotencyStore: {} as never });
      expect(runtime.queue.visibilityTimeoutSeconds).toBe(4321);
    });

    it('resolves its declaration when the environment holds another stage’s queue', () => {
      process.env[DEPLOYED_ENVIRONMENT.resolvedQueue] = deployed!;
      const runtime = new QueueRuntime(ordersTopology, { stage: 'dev', queue: 'notifications', handlers: { 'order.placed': () => undefined, 'order.cancelled': () => undefined }, idempotencyStore: {} as never });
      expect(runtime.queue).toEqual(resolveQueueOf(ordersTopology, { stage: 'dev', queue: 'notifications' }).queue);
    });
  });
});
