import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Requester } from 'postbox';
import { startTestSystem, type TestSystem } from 'postbox/testing';
import { createReportsServer } from './reports-server.ts';
import { reportsTopology } from './reports-topology.ts';

const config = fileURLToPath(new URL('./postbox.config.ts', import.meta.url));

describe('the reports web server, against the test system', () => {
  let system: TestSystem<typeof reportsTopology>;
  let requester: Requester<typeof reportsTopology>;
  let base: string;
  let server: ReturnType<typeof createReportsServer>;

  beforeAll(async () => {
    system = await startTestSystem<typeof reportsTopology>({ config });
    requester = new Requester(reportsTopology, { stage: system.stage, source: 'reports-web', sns: system.clients.sns, sqs: system.clients.sqs, waitTimeSeconds: 1 });
    await requester.start();
    server = createReportsServer(requester, { timeoutSeconds: 20 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.close();
    await requester?.stop();
    await system?.stop();
  });

  const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });

  it('waits for the reply within the HTTP request', async () => {
    const response = await post('/reports', { month: '2026-11' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ url: 'https://reports.example/2026-11.pdf' });
  });

  it('answers at once with the request id, and the page polls until the report is done', async () => {
    const accepted = await post('/reports?wait=false', { month: '2026-10' });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    let outcome: { status: string; url?: string } = { status: 'pending' };
    for (let polls = 0; outcome.status === 'pending' && polls < 200; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      outcome = (await (await fetch(`${base}/reports/${id}`)).json()) as typeof outcome;
    }
    expect(outcome).toEqual({ status: 'done', url: 'https://reports.example/2026-10.pdf' });
  });

  it('says the request failed, with the reason, when its handler dead-lettered it', async () => {
    const response = await post('/reports', { month: '2999-01' });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: string }).error).toContain('2999-01 has not happened yet');
  });
});
