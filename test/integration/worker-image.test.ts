import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMessagingApp } from '../../lib/infra/messaging-app.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { parcelsTopology } from '../fixtures/parcels-service/parcels-topology.ts';

/*
 * What the worker image of a service that is not the example holds and runs, without Docker (none here):
 * the parcels fixture's CDK app is synthesized from its postbox.config.ts, and the image's build context in
 * the cloud assembly is run alone (cwd = that directory, no node_modules above it), as its Dockerfile and
 * task definition say: the container's command, environment and health check, read from the template.
 */
const clients = emulatorClients();
const stage = uniqueStage();
let outdir: string;
let image: { directory: string; command: string[]; environment: Record<string, string>; healthCheck: string[]; dockerfileEnv: Record<string, string> };

/** A template value as CloudFormation resolves it, for the few shapes a worker's environment holds. */
function resolveValue(value: unknown, resources: Record<string, { Type: string; Properties: Record<string, unknown> }>): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => resolveValue(part, resources)).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref === 'AWS::AccountId') return '000000000000';
  if (ref === 'AWS::Region') return 'us-east-1';
  const resource = ref === undefined ? undefined : resources[ref];
  if (resource?.Type === 'AWS::DynamoDB::Table') return resource.Properties.TableName as string;
  if (resource?.Type === 'AWS::S3::Bucket') return resolveValue(resource.Properties.BucketName, resources);
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the worker's environment`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs the container's health check against the worker on `port` (instead of 8080); its exit code. */
const runHealthCheck = (port: number) => {
  const [kind, executable, ...args] = image.healthCheck;
  expect(kind).toBe('CMD');
  return spawnSync(executable!, args.map((arg) => arg.replace(':8080/', `:${port}/`)), { timeout: 10_000 }).status;
};

/** The worker's output, line by line as it comes, with a wait for a JSON log line of a given message. */
function watch(worker: ChildProcess) {
  let output = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const waiter of waiters.splice(0)) waiter();
  };
  worker.stdout!.on('data', onData);
  worker.stderr!.on('data', onData);
  const lines = () => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  const logged = async (message: string, timeoutMs = 30_000): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = lines().find((candidate) => candidate.message === message);
      if (line) return line;
      if (worker.exitCode !== null || Date.now() > deadline) throw new Error(`the worker did not log '${message}':\n${output}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  };
  return { logged, output: () => output };
}

/** Probes until the health check exits `expected`; bounded by the receive backoff's cap (20 s). */
async function healthCheckTurns(port: number, expected: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (runHealthCheck(port) !== expected) {
    if (Date.now() > deadline) throw new Error(`the health check never exited ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  outdir = mkdtempSync(path.join(os.tmpdir(), 'postbox-parcels-assembly-'));
  const config = path.resolve(import.meta.dirname, '../fixtures/parcels-service/postbox.config.ts');
  const { app, stack } = await createMessagingApp({ file: config, app: new App({ outdir, context: { stage } }) });
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8'));
  const resources = template.Resources as Record<string, { Type: string; Properties: any }>;
  const [taskDefinition] = Object.values(resources).filter((resource) => resource.Type === 'AWS::ECS::TaskDefinition');
  const container = taskDefinition!.Properties.ContainerDefinitions[0];
  const assets = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
  const [dockerImage] = Object.values(assets.dockerImages) as Array<{ source: { directory: string } }>;
  const directory = path.join(assembly.directory, dockerImage!.source.directory);
  const envLine = readFileSync(path.join(directory, 'Dockerfile'), 'utf8').match(/^ENV (.+)$/m)![1]!;
  image = {
    directory,
    command: container.Command,
    healthCheck: container.HealthCheck.Command,
    environment: Object.fromEntries(container.Environment.map((variable: { Name: string; Value: unknown }) => [variable.Name, resolveValue(variable.Value, resources)])),
    dockerfileEnv: Object.fromEntries(envLine.split(' ').map((pair) => pair.split('=') as [string, string])),
  };
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("a service's worker image", () => {
  it('runs its own workers alone from the task definition: unhealthy while its queues are missing, then handles its messages, healthy, and exits 0 on SIGTERM', async () => {
    expect(image.environment.POSTBOX_STAGE).toBe(stage);
    const port = await freePort();
    const [executable, ...args] = image.command;
    expect(executable).toBe('node');
    // The task definition's command with the health port made free.
    const argv = args.map((arg) => (arg === '8080' ? String(port) : arg));
    const worker = spawn(process.execPath, argv, {
      cwd: image.directory,
      // The container's environment only: no profile, no repository; AWS is the emulator.
      env: {
        PATH: process.env.PATH,
        ...image.dockerfileEnv,
        ...image.environment,
        AWS_ENDPOINT_URL: inject('awsEndpoint'),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    const log = watch(worker);
    try {
      await log.logged('health endpoint listening');
      const failing = await log.logged('receive failing; backing off exponentially until it recovers');
      expect(JSON.stringify(failing)).toMatch(/exist/i);
      expect(runHealthCheck(port)).not.toBe(0);
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { healthy: boolean; consumers: Array<{ queue: string; problem?: string }> };
      expect(health.healthy).toBe(false);
      expect(health.consumers.find((consumer) => consumer.problem)!.problem).toMatch(/^receives failing for \d+ s \(\d+ attempts\): /);

      await provisionTopology(resolveTopology(parcelsTopology, { stage }), clients);
      const publisher = new Publisher(parcelsTopology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs });
      await publisher.send('label.print', { parcelId: 'p-label' });
      await publisher.publish('parcel.shipped', { parcelId: 'p-shipped', carrier: 'dhl' });
      expect(await log.logged('label printed')).toMatchObject({ parcelId: 'p-label' });
      expect(await log.logged('parcel tracked')).toMatchObject({ parcelId: 'p-shipped', carrier: 'dhl' });
      await healthCheckTurns(port, 0);

      // Nothing in flight: the 20 s long poll under way is aborted rather than waited out.
      worker.kill('SIGTERM');
      expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000))])).toBe(0);
      await log.logged('worker exiting');
      expect(runHealthCheck(port)).not.toBe(0);
    } finally {
      worker.kill('SIGKILL');
    }
  });
});
