import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';

const withOutbox = fileURLToPath(new URL('../fixtures/payments-service/postbox.outbox.config.ts', import.meta.url));
const without = fileURLToPath(new URL('../fixtures/payments-service/postbox.config.ts', import.meta.url));

describe('postbox/testing with an outbox', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ config: withOutbox });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('relays what a transaction wrote to the outbox to every queue its type is routed to', async () => {
    const [record] = await system.transactWrite([], [{ type: 'payment.captured', data: { paymentId: 'p-1', amountCents: 1200 }, aggregateKey: 'p-1' }]);
    const outcomes = await system.waitFor(record!.id);
    expect(outcomes.map((outcome) => `${outcome.queue}:${outcome.status}`).sort()).toEqual(['ledger:handled', 'receipts:handled']);
  });

  it('refuses transactWrite for a service without an outbox', async () => {
    const plain = await startTestSystem({ config: without });
    try {
      await expect(plain.transactWrite([], [{ type: 'payment.captured', data: { paymentId: 'p-2', amountCents: 1 } }])).rejects.toThrow('payments has no outbox: set outbox: true in its config.');
    } finally {
      await plain.stop();
    }
  });
});
