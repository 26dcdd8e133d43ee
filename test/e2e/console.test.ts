import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ListTopicsCommand, PublishCommand } from '@aws-sdk/client-sns';
import type { Browser } from 'playwright-core';
import { launchDebianChromium } from '../helpers/debian-chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/aws/aws-clients.ts';

const root = path.resolve(import.meta.dirname, '../..');
const artifacts = path.join(root, 'test-results');

let system: ChildProcess;
let exited: Promise<number | null>;
let endpoint = '';
let consoleUrl = '';
let browser: Browser;

/** Starts `npm start`'s program as a user would, and reads the addresses it prints. */
beforeAll(async () => {
  system = spawn(process.execPath, ['--import', 'tsx', 'bin/postbox.ts', 'dev', '--quiet', '--console-port', '0', '--stage', 'e2e'], {
    cwd: root,
    env: { ...process.env, NODE_NO_WARNINGS: '1', POSTBOX_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => system.on('exit', (code) => resolve(code)));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the system did not start:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      const running = /running against (\S+) \(stage/.exec(output);
      const console = /Console: (\S+)/.exec(output);
      if (running && console) {
        endpoint = running[1]!;
        consoleUrl = console[1]!;
        clearTimeout(timer);
        resolve();
      }
    };
    system.stdout!.on('data', read);
    system.stderr!.on('data', read);
  });
  browser = await launchDebianChromium();
});

afterAll(async () => {
  await browser?.close();
  system?.kill('SIGINT');
  expect(await exited).toBe(0);
});

describe('the local console', () => {
  it('shows a poison message in the DLQ view with its reason, and redrive takes it out of the DLQ', async () => {
    const { sns } = createAwsClients({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    const topicArn = Topics.find((topic) => topic.TopicArn!.endsWith(':orders-e2e-orders'))!.TopicArn!;
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify({ orderId: 'poison-e2e', customerId: 'c-1', totalCents: -5, currency: 'euro' }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } },
      }),
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(consoleUrl);
    await expect.poll(() => page.getByTestId('topology-queue-notifications').textContent(), { timeout: 10_000 }).toContain('orders-e2e-notifications');
    // The page keeps its token for the tab and takes it out of the address bar.
    expect(page.url()).toBe(new URL('/', consoleUrl).href);
    await expect.poll(() => page.getByTestId('dlq-count-notifications').textContent(), { timeout: 30_000 }).toBe('1');

    await page.getByTestId('show-dlq-notifications').click();
    const row = page.getByTestId('dead-letter').first();
    await expect.poll(() => row.getByTestId('reason').textContent(), { timeout: 10_000 }).toMatch(/^SCHEMA_VALIDATION_FAILED: .*totalCents: Too small/);
    const messageId = await row.getAttribute('data-message-id');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'console.png'), fullPage: true });

    await row.getByTestId('redrive-one').click();
    // Skipped counts what the redrive saw and left: the poison message failing again may already be back in the DLQ.
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: 20_000 }).toMatch(/^moved 1, failed 0, skipped [01]$/);
    // Redriven, it leaves the DLQ (still poison, it fails again and returns under a new message id).
    await expect.poll(() => page.locator(`[data-testid=dead-letter][data-message-id="${messageId}"]`).count(), { timeout: 20_000 }).toBe(0);
    await page.screenshot({ path: path.join(artifacts, 'console-after-redrive.png'), fullPage: true });
  });

  it('opened without its token, shows why the API refuses it and what to do', async () => {
    const page = await browser.newPage();
    await page.goto(new URL('/', consoleUrl).href);
    await expect.poll(() => page.locator('#updated').textContent(), { timeout: 10_000 }).toMatch(/missing or wrong console token; open the console at the address printed when it started/);
    await page.close();
  });
});
