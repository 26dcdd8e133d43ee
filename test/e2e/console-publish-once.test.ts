import type { Browser } from 'playwright-core';
import { startOrdersConsole } from '../helpers/orders-console.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../lib/local/local-system.ts';

let system: LocalSystem;
let browser: Browser;
let close: () => Promise<void>;
const handled: string[] = [];

beforeAll(async () => {
  ({ system, browser, close } = await startOrdersConsole('e2e-publish-once', { analytics: { handlers: { 'order.cancelled': ({ data }) => void handled.push(data.orderId) } } }));
});

afterAll(async () => {
  await close?.();
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
