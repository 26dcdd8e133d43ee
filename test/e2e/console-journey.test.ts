import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startOrdersConsole } from '../helpers/orders-console.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../lib/local/local-system.ts';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';

const root = path.resolve(import.meta.dirname, '../..');
const artifacts = path.join(root, 'test-results');
const stage = 'e2e-journey';

let system: LocalSystem;
let browser: Browser;
let close: () => Promise<void>;
let page: Page;
// The analytics worker refuses cancellations until the test lets it work: the message is dead-lettered there.
let reportLocked = true;

beforeAll(async () => {
  ({ system, browser, close } = await startOrdersConsole(stage, {
    analytics: {
      handlers: {
        'order.cancelled': () => {
          if (reportLocked) throw new UnrecoverableError('the churn report is locked for the month end', { code: 'REPORT_LOCKED' });
        },
      },
    },
  }));
  mkdirSync(artifacts, { recursive: true });
});

afterAll(async () => {
  await close?.();
});

/** The hops the page shows: kind, queue and outcome of each, in the page's order. */
async function hops(): Promise<string[]> {
  return page.getByTestId('hop').evaluateAll((items) => items.map((item) => [item.dataset.kind, item.dataset.queue, item.dataset.outcome].filter(Boolean).join(' ')));
}

describe('the journey of a message in the console', () => {
  it('follows a message published from the form through two subscribers, one dead-lettering it, and its redrive from the page to handled', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(system.console!.url);
    // Published from the console's form, through the service's own Publisher.
    await expect.poll(() => page.locator('#publish-type option').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByLabel('message type').selectOption('order.cancelled');
    await page.getByLabel('orderId').fill('o-journey');
    await page.getByLabel('reason').fill('found it cheaper elsewhere');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByTestId('publish-result').textContent(), { timeout: 10_000 }).toMatch(/^Published order\.cancelled: id \S+, /);
    const id = /: id (\S+),/.exec((await page.getByTestId('publish-result').textContent())!)![1]!;
    // Found by a text in its data, with the keyboard.
    await page.getByTestId('journey-query').fill('cheaper elsewhere');
    await page.getByTestId('journey-query').press('Enter');
    await expect.poll(async () => (await hops()).filter((hop) => hop.startsWith('attempt')).sort(), { timeout: 30_000 }).toEqual(['attempt analytics dead-lettered', 'attempt notifications handled']);
    expect((await hops()).slice(0, 3)).toEqual(['published', 'routed notifications', 'routed analytics']);
    expect(await page.locator('#journey-heading').textContent()).toBe(`Journey of order.cancelled ${id}`);
    expect(await page.getByTestId('hop').first().textContent()).toMatch(/order\.cancelled published by \S+ through Postbox/);
    expect(await page.locator('[data-kind=attempt][data-outcome=dead-lettered] [data-testid=hop-reason]').textContent()).toContain('the churn report is locked for the month end');

    // From the dead letter's row, its journey; then the redrive, and the journey goes on by itself to "handled".
    reportLocked = false;
    await page.getByTestId('show-dlq-analytics').click();
    const row = page.getByTestId('dead-letter').first();
    await row.getByTestId('follow-dead-letter').click();
    await expect.poll(() => page.locator('#journey-heading').textContent(), { timeout: 10_000 }).toBe(`Journey of order.cancelled ${id}`);
    await row.getByTestId('redrive-one').click();
    await expect.poll(async () => (await hops()).slice(-2), { timeout: 30_000 }).toEqual(['redriven analytics', 'attempt analytics handled']);
    expect(await page.getByTestId('journey-match').locator('+ small').textContent()).toContain('analytics: handled, notifications: handled');
    expect(await page.getByTestId('journey-end').textContent()).toBe('now order.cancelled: analytics: handled, notifications: handled');
    await page.locator('[data-testid=journey-view]').screenshot({ path: path.join(artifacts, 'console-journey.png') });
  });

  it('says when nothing matches a search, and how far back it looks', async () => {
    await page.getByTestId('journey-query').fill('no such text anywhere');
    await page.getByTestId('journey-find').click();
    await expect.poll(() => page.locator('#journey-note').textContent(), { timeout: 10_000 }).toBe("No message matches 'no such text anywhere' among the last 5,000 this system saw.");
  });
});
