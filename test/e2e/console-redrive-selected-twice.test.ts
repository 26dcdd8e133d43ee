import path from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { Browser } from 'playwright-core';
import { launchDebianChromium } from '../helpers/debian-chromium.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { UnrecoverableError } from '../../lib/index.ts';
import { startLocalSystem, type LocalSystem } from '../../lib/local/local-system.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const root = path.resolve(import.meta.dirname, '../..');
let system: LocalSystem;
let browser: Browser;
const handled: string[] = [];
const failing = new Set<string>();

beforeAll(async () => {
  vi.stubEnv('POSTBOX_LOG_LEVEL', 'error');
  vi.stubEnv('POSTBOX_METRICS', 'off');
  system = await startLocalSystem(ordersTopology, {
    topology: resolveTopology(ordersTopology, { stage: 'e2e-redrive-twice' }),
    workers: {
      analytics: {
        handlers: {
          'order.cancelled': ({ data }) => {
            if (failing.has(data.orderId)) throw new UnrecoverableError(`order ${data.orderId} fails in this test`, { code: 'TEST_FAILURE' });
            handled.push(data.orderId);
          },
        },
      },
    },
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

async function cancelOrder(orderId: string): Promise<void> {
  await system.clients.sns.send(
    new PublishCommand({
      TopicArn: system.topicArns.get('orders')!,
      Message: JSON.stringify({ orderId, reason: 'changed my mind' }),
      MessageAttributes: { type: { DataType: 'String', StringValue: 'order.cancelled' } },
    }),
  );
}

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
