import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchDebianChromium } from '../helpers/debian-chromium.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { startLocalSystem, type LocalSystem } from '../../lib/local/local-system.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';

const root = path.resolve(import.meta.dirname, '../..');
let system: LocalSystem;
let browser: Browser;
const handled: string[] = [];

beforeAll(async () => {
  vi.stubEnv('POSTBOX_LOG_LEVEL', 'error');
  vi.stubEnv('POSTBOX_METRICS', 'off');
  system = await startLocalSystem(ordersTopology, {
    topology: resolveTopology(ordersTopology, { stage: 'e2e-publish-once' }),
    workers: { analytics: { handlers: { 'order.cancelled': ({ data }) => void handled.push(data.orderId) } } },
    projectRoot: root,
    consolePort: 0,
    logger: createLogger({}, { level: 'error' }),
  });
  browser = await launchDebianChromium();
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  vi.unstubAllEnvs();
});

describe("the console's publish form", () => {
  it('publishes once when Publish is clicked again before the first publish has answered (a double click)', async () => {
    const page = await browser.newPage();
    await page.goto(system.console!.url);
    await expect.poll(() => page.locator('#publish-type option').count(), { timeout: 10_000 }).toBe(3);
    await page.getByLabel('message type').selectOption('order.cancelled');
    await page.getByLabel('orderId').fill('double-1');
    await page.locator('#publish-field-reason').fill('changed my mind');
    await page.getByRole('button', { name: 'Publish' }).dblclick();
    await expect.poll(() => page.getByTestId('publish-result').textContent(), { timeout: 10_000 }).toMatch(/^Published order\.cancelled/);
    await expect.poll(() => handled, { timeout: 20_000 }).toContain('double-1');
    // Time for a second copy to arrive, if one was published.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(handled.filter((id) => id === 'double-1')).toEqual(['double-1']);
    await page.close();
  });
});
