import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { DurableQueue } from '../../lib/infra/durable-queue.ts';
import { WorkerService } from '../../lib/infra/worker-service.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emptyStack } from '../helpers/cdk.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';

/*
 * What the worker image holds and runs, without Docker (none here): the
 * Dockerfile's bundle step, alone in a folder as in the image's last stage,
 * started with the command and probed with the health check that the
 * WorkerService construct puts in the task definition.
 */
const root = path.resolve(import.meta.dirname, '../..');
const clients = emulatorClients();
let imageDir: string;

function containerDefinition(): { Command: string[]; HealthCheck: { Command: string[] } } {
  const stack = emptyStack();
  const queue = new DurableQueue(stack, 'Jobs', { queueName: 'orders-dev-analytics', deadLetterQueueName: 'orders-dev-analytics-dlq' });
  new WorkerService(stack, 'Workers', { queues: [queue], imageDirectory: root });
  const [taskDefinition] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
  return taskDefinition!.Properties.ContainerDefinitions[0];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The environment of a container: no profile, no repository, AWS reached through AWS_ENDPOINT_URL. */
function containerEnv(stage: string): NodeJS.ProcessEnv {
  const { AWS_PROFILE: _profile, ...env } = process.env;
  return { ...env, NODE_ENV: 'production', NODE_OPTIONS: '--enable-source-maps', AWS_ENDPOINT_URL: inject('awsEndpoint'), POSTBOX_STAGE: stage };
}

const runHealthCheck = (command: string[], port: number) => {
  const [kind, executable, ...args] = command;
  expect(kind).toBe('CMD');
  return spawnSync(executable!, args.map((arg) => arg.replace(':8080/', `:${port}/`)), { timeout: 10_000 }).status;
};

beforeAll(() => {
  imageDir = mkdtempSync(path.join(os.tmpdir(), 'postbox-worker-image-'));
  const bundle = spawnSync(process.execPath, [path.join(root, 'scripts/bundle-worker.mjs'), imageDir], { encoding: 'utf8' });
  expect(bundle.status, bundle.stderr).toBe(0);
});

afterAll(() => rmSync(imageDir, { recursive: true, force: true }));

describe('the worker image', () => {
  it('holds one bundled file and its source map, nothing else', () => {
    expect(readdirSync(imageDir).sort()).toEqual(['postbox-worker.mjs', 'postbox-worker.mjs.map']);
  });

  it("runs the task definition's command on its own, passes its health check, and exits 0 on SIGTERM", async () => {
    const stage = uniqueStage();
    await provisionTopology(resolveTopology(ordersTopology, { stage }), clients);
    await new Publisher(ordersTopology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs }).publish('order.cancelled', {
      orderId: 'o-image',
      reason: 'duplicate',
    });
    const { Command: command, HealthCheck: healthCheck } = containerDefinition();
    const port = await freePort();
    const args = command.slice(1).map((arg) => (arg === '8080' ? String(port) : arg));
    expect(args).toContain(String(port));

    const worker = spawn(command[0]!, [...args, '--wait-time', '1'], { cwd: imageDir, env: containerEnv(stage), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    const messages = () => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line).message as string);

    const deadline = Date.now() + 30_000;
    while (!messages().includes('cancellation added to the churn report')) {
      if (Date.now() > deadline || worker.exitCode !== null) throw new Error(`the bundled worker did not handle the message:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runHealthCheck(healthCheck.Command, port)).toBe(0);

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(messages()).toEqual(expect.arrayContaining(['stopping: received a termination signal', 'worker exiting']));
    expect(runHealthCheck(healthCheck.Command, port)).toBe(1);
  });
});
