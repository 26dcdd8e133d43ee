import { startTestSystem, type TestSystem } from 'postbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The whole service in this process: the embedded emulator, the topology under a fresh stage, the Lambda
// handlers and the workers of postbox.config.ts.
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

const byQueue = (outcomes: readonly { queue: string; status: string }[]) =>
  outcomes.map(({ queue, status }) => ({ queue, status })).sort((a, b) => a.queue.localeCompare(b.queue));

describe('{{name}}', () => {
  it('books a received payment in the ledger and adds it to the reports', async () => {
    const { id } = await system.publish('payment.received', { paymentId: 'p-1', amountCents: 1250, currency: 'EUR' });

    expect(byQueue(await system.waitFor(id))).toEqual([
      { queue: 'ledger', status: 'handled' },
      { queue: 'reports', status: 'handled' },
    ]);
  });

  it('dead-letters a payment of nothing in the ledger, with its reason', async () => {
    const { id } = await system.publish('payment.received', { paymentId: 'p-0', amountCents: 0, currency: 'EUR' });

    const ledger = (await system.waitFor(id)).find((outcome) => outcome.queue === 'ledger');
    expect(ledger).toMatchObject({ status: 'dead-lettered', attempts: 1 });
    expect(ledger?.reason).toMatchObject({ code: 'EMPTY_PAYMENT', message: expect.stringContaining('nothing to book') });
  });

  it('sends a receipt when told to', async () => {
    const { id } = await system.send('receipt.send', { paymentId: 'p-1', email: 'payer@example.com' });

    expect(byQueue(await system.waitFor(id))).toEqual([{ queue: 'receipt-send', status: 'handled' }]);
  });
});
