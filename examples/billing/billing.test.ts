import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';
import type { billingTopology } from './billing-topology.ts';

const config = fileURLToPath(new URL('./postbox.config.ts', import.meta.url));

describe('billing, tested alone: the test system stands in for orders, publishing its events to a stand-in of its topic', () => {
  let system: TestSystem<typeof billingTopology>;

  beforeAll(async () => {
    system = await startTestSystem<typeof billingTopology>({ config });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it("charges a placed order published to orders' topic", async () => {
    const placed = await system.publish('order.placed', { orderId: 'o-1', customerId: 'c-1', totalCents: 1250, currency: 'EUR' });
    expect(await system.waitFor(placed.id)).toEqual([{ queue: 'charges', messageType: 'order.placed', status: 'handled', attempts: 1 }]);
  });

  it('refunds a cancelled order', async () => {
    const cancelled = await system.publish('order.cancelled', { orderId: 'o-1', reason: 'changed mind' });
    expect(await system.waitFor(cancelled.id)).toEqual([{ queue: 'charges', messageType: 'order.cancelled', status: 'handled', attempts: 1 }]);
  });

  it('retries an order that fails once', async () => {
    const placed = await system.publish('order.placed', { orderId: 'flaky-1', customerId: 'c-1', totalCents: 100, currency: 'EUR' });
    expect(await system.waitFor(placed.id, { timeoutMs: 15_000 })).toEqual([{ queue: 'charges', messageType: 'order.placed', status: 'handled', attempts: 2 }]);
  });
});
