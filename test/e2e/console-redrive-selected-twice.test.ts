import type { Browser } from 'playwright-core';
import { publishCancellation, recordingAnalytics, startOrdersConsole } from '../helpers/orders-console.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../lib/local/local-system.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

let system: LocalSystem;
let browser: Browser;
let close: () => Promise<void>;
const { handled, failing, workers } = recordingAnalytics();

beforeAll(async () => {
  ({ system, browser, close } = await startOrdersConsole('e2e-redrive-twice', workers));
});

afterAll(async () => {
  await close?.();
});

const cancelOrder = (orderId: string) => publishCancellation(system, orderId);

describe("the console's Redrive selected", () => {
  it('clicked again before the first redrive has answered, redrives no dead letter that was not selected', async () => {
    failing.add('keep-1').add('move-1');
    await cancelOrder('keep-1');
    await cancelOrder('move-1');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(system.console!.url);
    await expect.poll(() => page.getByTestId('dlq-count-analytics').textContent(), { timeout: 30_000 }).toBe('2');
    await page.getByTestId('show-dlq-analytics').click();
    const rows = page.getByTestId('dead-letter');
    await expect.poll(() => rows.getByTestId('select-dead-letter').count(), { timeout: 10_000 }).toBe(2);
    // Both now succeed when handled: whichever is redriven is handled, and shows here.
    failing.clear();
    await rows.filter({ hasText: 'move-1' }).getByTestId('select-dead-letter').check();
    expect(await page.locator('#dlq-chosen').textContent()).toBe('1 selected');
    const button = page.getByTestId('redrive-selected');
    await button.click();
    await button.click({ timeout: 1_000 }).catch(() => undefined);
    await expect.poll(() => handled, { timeout: 20_000 }).toContain('move-1');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(handled).toEqual(['move-1']);
    const { deadLetterUrl } = await system.directory.address('analytics');
    // The page's own listing of the DLQ may hold it for a moment.
    await expect.poll(() => queueDepth(system.clients.sqs, deadLetterUrl), { timeout: 10_000 }).toEqual({ visible: 1, inFlight: 0 });
    await page.close();
  });
});
