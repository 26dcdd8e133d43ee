import { spawn } from 'node:child_process';
import path from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';

const clients = emulatorClients();
const root = path.resolve(import.meta.dirname, '../..');

/** Runs `postbox worker` as its own process, as a container would. */
function startWorker(stage: string, ...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/postbox.ts', 'worker', '--endpoint', inject('awsEndpoint'), '--stage', stage, '--wait-time', '1', ...args], {
    cwd: root,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = () => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, exited, lines, output: () => output };
}

async function provisionedStage() {
  const stage = uniqueStage();
  await provisionTopology(resolveTopology(ordersTopology, { stage }), clients);
  return stage;
}

describe('postbox-worker', () => {
  it('handles messages, stops at --max-messages with a log line saying why, and exits 0', async () => {
    const stage = await provisionedStage();
    const publisher = new Publisher(ordersTopology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs });
    await publisher.publish('order.cancelled', { orderId: 'o-1', reason: 'duplicate' });
    const worker = startWorker(stage, '--max-messages', '1');
    expect(await worker.exited).toBe(0);
    const messages = worker.lines().map((line) => line.message);
    expect(messages).toContain('cancellation added to the churn report');
    expect(messages).toContain('stopping: handled 1 messages (limit maxMessages); the supervisor starts a fresh process');
    // One log shape with the Lambda handlers': app and stage on every line, the queue on a consumer's.
    const logLines = worker.lines().filter((line) => 'level' in line);
    expect(logLines.length).toBeGreaterThan(3);
    for (const line of logLines) expect(line).toMatchObject({ app: 'orders', stage });
    expect(worker.lines().find((line) => line.message === 'cancellation added to the churn report')).toMatchObject({ queue: 'analytics' });
    expect(worker.lines().filter((line) => 'service' in line)).toEqual([]);
  }, 60_000);

  it('stops on SIGTERM and exits 0', async () => {
    const stage = await provisionedStage();
    const worker = startWorker(stage);
    const deadline = Date.now() + 30_000;
    while (!worker.lines().some((line) => line.message === 'consumer started')) {
      if (Date.now() > deadline) throw new Error(`worker did not start:\n${worker.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.lines().map((line) => line.message)).toEqual(
      expect.arrayContaining(['stopping: received a termination signal', 'consumer stopped', 'worker exiting']),
    );
  }, 60_000);
});
