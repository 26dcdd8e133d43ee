import { spawn } from 'node:child_process';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { sleep, until } from '../helpers/polling-fixtures.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const root = path.resolve(import.meta.dirname, '../..');

function startWorker(stage: string, ...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/slow-worker-process.ts', '--endpoint', inject('awsEndpoint'), '--stage', stage, '--wait-time', '1', ...args], {
    cwd: root,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const lines = () => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, exited, lines, output: () => output };
}

describe('the worker process stopped twice in a row (fault review 22)', () => {
  // `npx postbox worker` and Ctrl-C: the terminal signals the whole process group and npm forwards the signal to its
  // child too, so the worker gets it twice; a supervisor may also repeat its SIGTERM.
  it.each(['SIGTERM', 'SIGINT'] as const)('finishes its running job within the grace and exits 0 on a second %s', async (signal) => {
    const stage = uniqueStage();
    const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
    const archive = provisioned.queues.get('archive')!;
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: archive.url,
        MessageBody: JSON.stringify({ paymentId: 'p-1', amountCents: 1 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
      }),
    );
    const worker = startWorker(stage, '--grace', '20');
    await until(() => worker.lines().some((line) => line.message === 'job started'), 30_000);
    worker.child.kill(signal);
    await sleep(200);
    worker.child.kill(signal);
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.lines().map((line) => line.message)).toEqual(expect.arrayContaining(['job done', 'consumer stopped', 'worker exiting']));
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);
});
