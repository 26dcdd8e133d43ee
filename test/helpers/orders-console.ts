import path from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { Browser } from 'playwright-core';
import { vi } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { UnrecoverableError } from '../../lib/index.ts';
import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from '../../lib/local/local-system.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { launchDebianChromium } from './debian-chromium.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** The orders example with its console, and the browser that drives it. */
export interface OrdersConsole {
  readonly system: LocalSystem;
  readonly browser: Browser;
  /** Closes the browser and stops the system. */
  close(): Promise<void>;
}

/**
 * The orders example in this process at its own stage, its console on a free port, with `workers` for its worker
 * queues, and Debian's Chromium: what a console e2e test starts. The handlers' log and metric lines are off: they
 * would bury the test's report.
 */
export async function startOrdersConsole(stage: string, workers: LocalSystemOptions<typeof ordersTopology>['workers']): Promise<OrdersConsole> {
  vi.stubEnv('POSTBOX_LOG_LEVEL', 'error');
  vi.stubEnv('POSTBOX_METRICS', 'off');
  const system = await startLocalSystem(ordersTopology, {
    topology: resolveTopology(ordersTopology, { stage }),
    workers,
    projectRoot: root,
    consolePort: 0,
    logger: createLogger({}, { level: 'error' }),
  });
  const browser = await launchDebianChromium();
  return {
    system,
    browser,
    close: async () => {
      await browser.close();
      await system.stop();
      vi.unstubAllEnvs();
    },
  };
}

/** An analytics worker that records the orders it handled and dead-letters those the test puts in `failing`. */
export function recordingAnalytics(): { handled: string[]; failing: Set<string>; workers: LocalSystemOptions<typeof ordersTopology>['workers'] } {
  const handled: string[] = [];
  const failing = new Set<string>();
  const workers: LocalSystemOptions<typeof ordersTopology>['workers'] = {
    analytics: {
      handlers: {
        'order.cancelled': ({ data }) => {
          if (failing.has(data.orderId)) throw new UnrecoverableError(`order ${data.orderId} fails in this test`, { code: 'TEST_FAILURE' });
          handled.push(data.orderId);
        },
      },
    },
  };
  return { handled, failing, workers };
}

/** An `order.cancelled` for `orderId` published to the orders topic as a plain SNS publisher sends it. */
export async function publishCancellation(system: LocalSystem, orderId: string): Promise<void> {
  await system.clients.sns.send(
    new PublishCommand({
      TopicArn: system.topicArns.get('orders')!,
      Message: JSON.stringify({ orderId, reason: 'changed my mind' }),
      MessageAttributes: { type: { DataType: 'String', StringValue: 'order.cancelled' } },
    }),
  );
}
