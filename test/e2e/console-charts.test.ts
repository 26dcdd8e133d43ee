import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { Browser, Page } from 'playwright-core';
import { launchDebianChromium } from '../helpers/debian-chromium.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { startLocalSystem, type LocalSystem } from '../../lib/local/local-system.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';

const root = path.resolve(import.meta.dirname, '../..');
const artifacts = path.join(root, 'test-results');
const BACKLOG = 30;

let system: LocalSystem;
let browser: Browser;
let page: Page;
let stopped = false;
// The analytics worker's handler waits on this: its four slots fill, and the rest of the messages wait on the queue.
let letGo!: () => void;
const heldBack = new Promise<void>((resolve) => (letGo = resolve));

/** The orders service in this process, its worker held back until the test lets it go. */
beforeAll(async () => {
  // The handlers' own log and metric lines would bury the test's report.
  vi.stubEnv('POSTBOX_LOG_LEVEL', 'error');
  vi.stubEnv('POSTBOX_METRICS', 'off');
  system = await startLocalSystem(ordersTopology, {
    topology: resolveTopology(ordersTopology, { stage: 'e2e-charts' }),
    workers: { analytics: { handlers: { 'order.cancelled': () => heldBack } } },
    projectRoot: root,
    consolePort: 0,
    logger: createLogger({}, { level: 'error' }),
  });
  browser = await launchDebianChromium();
  mkdirSync(artifacts, { recursive: true });
});

afterAll(async () => {
  letGo?.();
  await browser?.close();
  if (!stopped) await system?.stop();
  vi.unstubAllEnvs();
});

/** The words beside a chart: `waiting 26 (peak 26) · in flight 4 (peak 4)`; one figure of them. */
async function chartFigure(name: string, label: string, which: 'now' | 'peak'): Promise<number> {
  const words = (await page.getByTestId(`chart-now-${name}`).textContent()) ?? '';
  const match = new RegExp(`${label} (\\S+) \\(peak (\\S+)\\)`).exec(words);
  return Number(match?.[which === 'now' ? 1 : 2] ?? Number.NaN);
}

describe('the console over time', () => {
  it('charts a backlog building while a worker is held back, and draining once it is let go', async () => {
    const topicArn = system.topicArns.get('orders')!;
    for (let index = 0; index < BACKLOG; index++) {
      await system.clients.sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify({ orderId: `o-${index}`, reason: 'changed my mind' }),
          MessageAttributes: { type: { DataType: 'String', StringValue: 'order.cancelled' } },
        }),
      );
    }
    // 200 % zoom: half the CSS pixels at twice the density.
    page = await browser.newPage({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2 });
    await page.goto(system.console!.url);
    await expect.poll(() => chartFigure('analytics-depth', 'waiting', 'peak'), { timeout: 30_000 }).toBeGreaterThanOrEqual(BACKLOG - 4 - 2);
    await expect.poll(() => chartFigure('analytics-tasks', 'tasks', 'now'), { timeout: 10_000 }).toBe(4);
    await expect.poll(() => chartFigure('analytics-age', 'oldest', 'now'), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    // The notifications Lambda handled the same messages: its durations are charted.
    await expect.poll(() => chartFigure('notifications-durations', 'p99', 'peak'), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=chart-analytics-depth] canvas').count()).toBe(1);
    // Readable at that zoom: nothing runs off the side of the window.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'console-charts-backlog.png'), fullPage: true });

    // By keyboard: the queue's dead-letter button is reached with Tab, and Enter opens its view and moves there.
    const focused = () => page.evaluate('document.activeElement?.dataset.testid ?? document.activeElement?.id');
    for (let presses = 0; presses < 40 && (await focused()) !== 'show-dlq-analytics'; presses++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await focused()).toBe('dlq-title');
    await expect.poll(() => page.locator('#dlq-title').textContent(), { timeout: 10_000 }).toBe('Dead letters of analytics (0)');

    letGo();
    await expect.poll(() => chartFigure('analytics-depth', 'waiting', 'now'), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => chartFigure('analytics-throughput', 'handled/s', 'peak'), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await chartFigure('analytics-depth', 'waiting', 'peak')).toBeGreaterThanOrEqual(BACKLOG - 4 - 2);
    await page.screenshot({ path: path.join(artifacts, 'console-charts-drained.png'), fullPage: true });
  });

  it('says plainly that the local system stopped when it no longer answers', async () => {
    expect(await page.getByTestId('system-state').textContent()).toBe('running');
    await expect.poll(() => page.getByTestId('consumer-state-analytics').textContent(), { timeout: 10_000 }).toBe('running');
    await system.stop();
    stopped = true;
    await expect.poll(() => page.getByTestId('system-state').textContent(), { timeout: 10_000 }).toBe('stopped');
    expect(await page.getByTestId('stopped').textContent()).toMatch(/^Stopped: the local system has not answered since /);
    // Its queues' consumers are stopped too, and can be neither paused nor resumed.
    await expect.poll(() => page.getByTestId('consumer-state-analytics').textContent(), { timeout: 10_000 }).toBe('stopped');
    expect(await page.getByTestId('toggle-consumer-analytics').isHidden()).toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'console-stopped.png'), fullPage: true });
  });
});
