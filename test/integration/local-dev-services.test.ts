import { spawn, type ChildProcess } from 'node:child_process';
import { CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';

const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
});

/** `postbox dev` of this repository's config (orders, with billing beside it through dev.with). */
function startDev(args: string[]) {
  const child = spawn(process.execPath, ['bin/postbox.mjs', ...args], { env: { ...process.env, NODE_NO_WARNINGS: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const seen = (text: string, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`postbox dev never printed ${text}:\n${output}`)), timeoutMs);
      const check = () => {
        if (!output.includes(text)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout!.on('data', check);
      check();
      void exited.then((code) => reject(new Error(`postbox dev exited with ${code} before it printed ${text}:\n${output}`)));
    });
  return { child, exited, seen, output: () => output, stderr: () => stderr };
}

describe('postbox dev with several services', () => {
  it("runs billing beside orders (dev.with) under one stage: an order published in orders reaches billing's handler", async () => {
    const stage = uniqueStage();
    const dev = startDev(['--stage', stage, '--endpoint', inject('awsEndpoint'), 'dev', '--quiet', '--console-port', '0']);
    await dev.seen('Ctrl-C stops it');
    expect(dev.output()).toContain(`(stage ${stage}): orders, billing.`);
    const data = { orderId: `o-${stage}`, customerId: 'c-1', totalCents: 1200, currency: 'EUR' };
    const { sns } = emulatorClients();
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `orders-${stage}-orders` }));
    await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify(data), MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } } }));
    await dev.seen(`"app":"billing"`);
    await dev.seen('charge recorded');
    process.kill(-dev.child.pid!, 'SIGINT');
    expect(await dev.exited).toBe(0);
  });

  it('refuses a --with path without a config in one line, exit 2, before starting anything', async () => {
    const dev = startDev(['--stage', uniqueStage(), 'dev', '--quiet', '--console-port', '0', '--with', 'examples/orders']);
    expect(await dev.exited).toBe(2);
    expect(dev.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^postbox: --with examples\/orders: no postbox.config.ts in .*examples\/orders; name a service's directory or its config file$/)]);
    expect(dev.output()).not.toContain('Postbox is running');
  });
});
