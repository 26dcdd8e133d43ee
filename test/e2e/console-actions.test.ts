import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { publishCancellation, recordingAnalytics, startOrdersConsole } from '../helpers/orders-console.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../lib/local/local-system.ts';

const root = path.resolve(import.meta.dirname, '../..');
const artifacts = path.join(root, 'test-results');

let system: LocalSystem;
let browser: Browser;
let close: () => Promise<void>;
const { handled, failing, workers } = recordingAnalytics();

beforeAll(async () => {
  ({ system, browser, close } = await startOrdersConsole('e2e-actions', workers));
  mkdirSync(artifacts, { recursive: true });
});

afterAll(async () => {
  await close?.();
});

const cancelOrder = (orderId: string) => publishCancellation(system, orderId);

async function openConsole(options: Parameters<Browser['newPage']>[0] = { viewport: { width: 1280, height: 900 } }): Promise<Page> {
  const page = await browser.newPage(options);
  await page.goto(system.console!.url);
  await expect.poll(() => page.getByTestId('system-state').textContent(), { timeout: 10_000 }).toBe('running');
  return page;
}

const focused = (page: Page) => page.evaluate('document.activeElement?.id');

/** A figure of the words beside a chart (`waiting 5 (peak 5) · in flight 0 (peak 0)`): its latest value, or its peak. */
async function chartFigure(page: Page, name: string, label: string, which: 'now' | 'peak'): Promise<number> {
  const words = (await page.getByTestId(`chart-now-${name}`).textContent()) ?? '';
  const match = new RegExp(`${label} (\\S+) \\(peak (\\S+)\\)`).exec(words);
  return Number(match?.[which === 'now' ? 1 : 2] ?? Number.NaN);
}

describe('acting from the console', () => {
  it("publishes from the message type's form, with a validation error shown at its field, and the message is handled", async () => {
    const page = await openConsole();
    await expect.poll(() => page.locator('#publish-type option').count(), { timeout: 10_000 }).toBe(3);
    await page.getByLabel('message type').selectOption('order.cancelled');
    await page.getByLabel('orderId').fill('form-1');
    // The reason is left empty: the schema (at least 1 character) refuses it, at its field, and nothing is published.
    await page.getByRole('button', { name: 'Publish' }).click();
    const reason = page.locator('#publish-field-reason');
    await expect.poll(() => reason.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await reason.getAttribute('aria-describedby')).toBe('publish-field-reason-hint publish-field-reason-error');
    expect(await page.locator('#publish-field-reason-error').textContent()).toMatch(/^Too small: expected string to have >=1 characters$/);
    expect(await page.locator('#publish-field-orderId').getAttribute('aria-invalid')).toBeNull();
    expect(await focused(page)).toBe('publish-field-reason');
    await page.screenshot({ path: path.join(artifacts, 'console-actions-invalid.png'), fullPage: true });

    // By keyboard: type the reason and press Enter in the field to submit.
    await reason.fill('changed my mind');
    await reason.press('Enter');
    await expect.poll(() => page.getByTestId('publish-result').textContent(), { timeout: 10_000 }).toMatch(/^Published order\.cancelled: id \S+, the one the message journey finds it by \(SNS message id \S+\)\.$/);
    expect(await focused(page)).toBe('publish-result');
    expect(await reason.getAttribute('aria-invalid')).toBeNull();
    await expect.poll(() => handled, { timeout: 20_000 }).toContain('form-1');
    await page.screenshot({ path: path.join(artifacts, 'console-actions-published.png'), fullPage: true });
    await page.close();
  });

  it('selects a dead letter and redrives it, confirming the count, and sees it handled; deletes only the one selected', async () => {
    failing.add('dead-1').add('dead-2');
    await cancelOrder('dead-1');
    await cancelOrder('dead-2');
    const page = await openConsole();
    await expect.poll(() => page.getByTestId('dlq-count-analytics').textContent(), { timeout: 30_000 }).toBe('2');
    await page.getByTestId('show-dlq-analytics').click();
    const rows = page.getByTestId('dead-letter');
    await expect.poll(() => rows.getByTestId('select-dead-letter').count(), { timeout: 10_000 }).toBe(2);

    await page.getByTestId('dlq-select-all').check();
    expect(await page.locator('#dlq-chosen').textContent()).toBe('2 selected');
    await page.getByTestId('dlq-select-all').uncheck();
    expect(await page.locator('#dlq-chosen').textContent()).toBe('0 selected');
    expect(await page.getByTestId('redrive-selected').isDisabled()).toBe(true);

    failing.delete('dead-1');
    await rows.filter({ hasText: 'dead-1' }).getByTestId('select-dead-letter').check();
    const asked: string[] = [];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.getByTestId('redrive-selected').click();
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: 20_000 }).toMatch(/^moved 1, failed 0, skipped 1$/);
    expect(asked).toEqual(['Redrive 1 dead letter of analytics?']);
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('notice');
    await expect.poll(() => handled, { timeout: 20_000 }).toContain('dead-1');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: path.join(artifacts, 'console-actions-redriven.png'), fullPage: true });

    await rows.filter({ hasText: 'dead-2' }).getByTestId('select-dead-letter').check();
    await page.getByTestId('delete-selected').click();
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: 20_000 }).toBe('deleted 1 dead letter of analytics');
    expect(asked).toEqual(['Redrive 1 dead letter of analytics?', 'Delete 1 dead letter of analytics for good?']);
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(0);
    expect(handled).not.toContain('dead-2');
    await page.close();
  });

  it("pauses a queue's consumer from its row: the backlog builds (and the pause outlasts a refresh), then drains after resume", async () => {
    // 200 % zoom: half the CSS pixels at twice the density.
    const page = await openConsole({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2 });
    const state = page.getByTestId('consumer-state-analytics');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('running');
    // By keyboard: the row's button, then Enter.
    await page.getByTestId('toggle-consumer-analytics').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('paused');
    expect(await page.getByTestId('toggle-consumer-analytics').textContent()).toBe('resume');
    // A receive under way when it paused ends with its long poll (2 s).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const orders = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'];
    for (const order of orders) await cancelOrder(order);
    const waiting = page.getByTestId('queue-analytics').locator('td').first();
    await expect.poll(() => waiting.textContent(), { timeout: 20_000 }).toBe('5');
    // The queue's chart shows the backlog building while its consumer is paused.
    await expect.poll(() => chartFigure(page, 'analytics-depth', 'waiting', 'now'), { timeout: 10_000 }).toBe(5);

    await page.reload();
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('paused');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'console-actions-paused.png'), fullPage: true });
    expect(handled.filter((order) => orders.includes(order))).toEqual([]);

    await page.getByTestId('toggle-consumer-analytics').click();
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('running');
    await expect.poll(() => waiting.textContent(), { timeout: 30_000 }).toBe('0');
    expect(handled).toEqual(expect.arrayContaining(orders));
    // And its drain: the chart falls back to 0 from its peak of 5.
    await expect.poll(() => chartFigure(page, 'analytics-depth', 'waiting', 'now'), { timeout: 10_000 }).toBe(0);
    expect(await chartFigure(page, 'analytics-depth', 'waiting', 'peak')).toBe(5);
    await page.screenshot({ path: path.join(artifacts, 'console-actions-drained.png'), fullPage: true });
    await page.close();
  });
});
