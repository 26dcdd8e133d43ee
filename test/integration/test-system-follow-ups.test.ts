import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';

const config = fileURLToPath(new URL('../fixtures/dispatch-service/postbox.config.ts', import.meta.url));

describe("postbox/testing: what a service's worker publishes goes to the test system's own stage", () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ config });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it("delivers a worker's follow-up event, published by a Publisher given no stage, to the test system's queues", async () => {
    const accepted = await system.publish('order.accepted', { orderId: 'o-1' });
    expect(await system.waitFor(accepted.id)).toEqual([{ queue: 'packing', messageType: 'order.accepted', status: 'handled', attempts: 1 }]);
    expect(await system.waitFor('packed-o-1')).toEqual([{ queue: 'notify', messageType: 'parcel.packed', status: 'handled', attempts: 1 }]);
  });

  it('keeps follow-ups apart in two systems of one process on different stages', async () => {
    await using other = await startTestSystem({ config });
    const theirs = await other.publish('order.accepted', { orderId: 'o-2' });
    expect(await other.waitFor(theirs.id)).toHaveLength(1);
    expect(await other.waitFor('packed-o-2')).toEqual([{ queue: 'notify', messageType: 'parcel.packed', status: 'handled', attempts: 1 }]);
    const mine = await system.publish('order.accepted', { orderId: 'o-3' });
    expect(await system.waitFor(mine.id)).toHaveLength(1);
    expect(await system.waitFor('packed-o-3')).toEqual([{ queue: 'notify', messageType: 'parcel.packed', status: 'handled', attempts: 1 }]);
  });
});
