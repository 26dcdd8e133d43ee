#!/usr/bin/env node
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { queueStatuses } from '../lib/operations/queue-status.ts';
import { redriveClientSide } from '../lib/operations/dead-letter-redrive.ts';
import { formatTable } from '../lib/cli/table-format.ts';
import { startOrdersDemo } from '../examples/orders/orders-demo.ts';
import { analyticsHandlers, analyticsUniqueJobs } from '../examples/orders/orders-handlers.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { startLocalSystem } from '../lib/local/local-system.ts';
import { createLogger } from '../lib/runtime/observability/logger.ts';
import { PostboxError } from '../lib/postbox-error.ts';
import { Publisher } from '../lib/runtime/publishing/publisher.ts';

/**
 * `npm start`: the example app on this machine. The embedded emulator (or
 * --endpoint), every handler running, the console, and a live view; Ctrl-C
 * stops it with nothing lost.
 */
const options = new Command('postbox-local')
  .description('Runs the example app locally: emulator, handlers, workers, console, live view.')
  .option('--demo', 'publish a steady stream of example messages, some failing once, some poison')
  .option('--endpoint <url>', 'use this endpoint (LocalStack, AWS) instead of the embedded emulator')
  .option('--no-provision', 'do not create the topology at --endpoint (it is deployed already)')
  .option('--stage <stage>', 'stage of the topology', 'local')
  .option('--console-port <port>', 'port of the console (0: any free one)', '8787')
  .option('--quiet', 'no live view; handler logs only')
  .parse()
  .opts<{ demo?: boolean; endpoint?: string; provision: boolean; stage: string; consolePort: string; quiet?: boolean }>();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Handler logs would scroll the live view away: they go to a file unless --quiet.
const logFile = path.join(root, '.postbox-local.log');
if (!options.quiet) process.env.POSTBOX_LOG_FILE = logFile;
const logger = createLogger({ service: 'postbox-local' });
const system = await startLocalSystem(ordersTopology, {
  stage: options.stage,
  ...(options.endpoint && { endpoint: options.endpoint }),
  provision: options.provision,
  workerHandlers: { analytics: analyticsHandlers },
  workerUniqueJobs: { analytics: analyticsUniqueJobs },
  projectRoot: root,
  consolePort: Number(options.consolePort),
  logger,
}).catch((error: unknown) => {
  // What Postbox knows went wrong (an old Node.js, an emulator not installed) is one line, not a stack trace.
  if (!(error instanceof PostboxError)) throw error;
  process.stderr.write(`postbox-local: ${error.message}\n`);
  process.exit(1);
});
process.stdout.write(`Postbox is running against ${system.endpoint} (stage ${options.stage}).\n`);
if (system.console) process.stdout.write(`Console: ${system.console.url}\n`);
if (!options.quiet) process.stdout.write(`Handler logs and metrics: ${logFile}\n`);
process.stdout.write('Ctrl-C stops it; messages in flight return to their queues.\n');

const demo = options.demo
  ? startOrdersDemo({
      publisher: new Publisher(ordersTopology, { stage: options.stage, source: 'demo', sns: system.clients.sns, sqs: system.clients.sqs }),
      sns: system.clients.sns,
      ordersTopicArn: system.topicArns.get('orders')!,
      redrive: async () => redriveClientSide(system.clients.sqs, await system.directory.address('billing'), {}, { max: 100 }),
      onError: (error) => logger.error('demo traffic failed', { error }),
    })
  : undefined;

const view = options.quiet
  ? undefined
  : setInterval(async () => {
      try {
        const rows = await queueStatuses(system.directory, system.cloudwatch);
        const rates = system.rates();
        const table = formatTable(
          ['queue', 'waiting', 'in flight', 'delayed', 'handled/s', 'DLQ'],
          rows.map((row) => [row.name, String(row.visible), String(row.inFlight), String(row.delayed), (rates[row.queue] ?? 0).toFixed(1), String(row.deadLetters)]),
          (index) => rows[index]!.deadLetters > 0,
        );
        const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : '\n';
        process.stdout.write(`${clear}Postbox local · ${system.endpoint}${system.console ? ` · console ${system.console.url}` : ''} · ${new Date().toLocaleTimeString()}\n\n${table}\n`);
      } catch (error) {
        process.stdout.write(`live view: ${(error as Error).message}\n`);
      }
    }, 2000);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping: no new receives; running handlers finish and settle...\n');
    demo?.stop();
    if (view) clearInterval(view);
    void system.stop().then(() => {
      process.stdout.write('Stopped: every running handler finished and settled its messages.\n');
      process.exit(0);
    });
  });
}
