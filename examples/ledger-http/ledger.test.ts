import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';
import { createLedgerService } from './ledger-service.ts';
import type { ledgerTopology } from './ledger-topology.ts';

const config = fileURLToPath(new URL('./postbox.config.ts', import.meta.url));
const secret = `whsec_${Buffer.from('the ledger secret of these tests').toString('base64')}`;

describe('the ledger: its commands delivered to its HTTP API by the worker, declared in the topology alone', () => {
  const service = createLedgerService(secret);
  let system: TestSystem<typeof ledgerTopology>;

  beforeAll(async () => {
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    // Read when the topology module loads and when the worker starts.
    process.env.LEDGER_URL = `http://127.0.0.1:${(service.address() as AddressInfo).port}/ledger/events`;
    process.env.LEDGER_WEBHOOK_SECRET = secret;
    system = await startTestSystem<typeof ledgerTopology>({ config });
  });

  afterAll(async () => {
    await system?.stop();
    service.close();
    delete process.env.LEDGER_URL;
    delete process.env.LEDGER_WEBHOOK_SECRET;
  });

  it('POSTs an entry, signed, and the 204 handles it', async () => {
    const sent = await system.send('ledger.record', { entryId: 'e-1', amountCents: 1250 });
    expect(await system.waitFor(sent.id)).toEqual([{ queue: 'ledger-record', messageType: 'ledger.record', status: 'handled', attempts: 1 }]);
    expect(service.entries).toContainEqual({ entryId: 'e-1', amountCents: 1250 });
  });

  it('retries an entry the service is too busy for (503, Retry-After: 1)', async () => {
    const sent = await system.send('ledger.record', { entryId: 'busy-1', amountCents: 100 });
    expect(await system.waitFor(sent.id, { timeoutMs: 20_000 })).toEqual([{ queue: 'ledger-record', messageType: 'ledger.record', status: 'handled', attempts: 2 }]);
  });

  it("dead-letters an entry the service refuses (422), with the service's answer as the reason", async () => {
    const sent = await system.send('ledger.record', { entryId: 'e-0', amountCents: 0 });
    const [outcome] = await system.waitFor(sent.id);
    expect(outcome).toMatchObject({ status: 'dead-lettered', attempts: 1, reason: { code: 'ENDPOINT_REJECTED' } });
    expect(outcome!.reason!.message).toContain('HTTP 422: {"error":"amountCents must be positive"}');
  });
});
