import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';
import type { reportsTopology } from '../fixtures/reports-service/reports-topology.ts';

const config = fileURLToPath(new URL('../fixtures/reports-service/postbox.config.ts', import.meta.url));

describe('postbox/testing: requests and their replies', () => {
  let system: TestSystem<typeof reportsTopology>;

  beforeAll(async () => {
    system = (await startTestSystem({ config })) as TestSystem<typeof reportsTopology>;
  });

  afterAll(async () => {
    await system?.stop();
  });

  it("resolves a request with its Lambda handler's reply, and with its worker's", async () => {
    expect(await system.request('report.generate', { month: '2026-11' }, { timeoutSeconds: 20 })).toEqual({ url: 'https://reports.example/2026-11.pdf' });
    expect(await system.request('report.archive', { month: '2026-11' }, { timeoutSeconds: 20 })).toEqual({ archived: 12 });
  });
});
