import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { uniqueStage } from '../helpers/emulator.ts';

const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
});

/** The environment of a new user's shell: no AWS region, credentials or endpoint. */
function scrubbedEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('POSTBOX_STAGE')));
  return { ...env, NODE_NO_WARNINGS: '1', HOME: mkdtempSync(path.join(tmpdir(), 'postbox-home-')) };
}

/** `postbox dev` of this repository's config (the orders example), leading a process group of its own as a terminal's job does. */
function startDev(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['bin/postbox.mjs', '--stage', uniqueStage(), 'dev', '--quiet', '--console-port', '0', ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => (output.includes('Ctrl-C stops it') ? resolve() : undefined);
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`postbox dev exited with ${code} before it was running:\n${output}`)));
  });
  return { child, ready, exited, output: () => output };
}

describe('postbox dev', () => {
  it('runs against an --endpoint with no region and no credentials in the environment', async () => {
    const dev = startDev(['--endpoint', inject('awsEndpoint')], scrubbedEnv());
    await dev.ready;
    expect(dev.output()).toContain(`Postbox is running against ${inject('awsEndpoint')}`);
    process.kill(-dev.child.pid!, 'SIGINT');
    expect(await dev.exited).toBe(0);
    expect(dev.output()).not.toMatch(/Region is missing|credential|\n\s+at /i);
  });

  it('stops cleanly on Ctrl-C in a terminal: the embedded emulator outlives the handlers and stops last', async () => {
    const dev = startDev([], { ...process.env, NODE_NO_WARNINGS: '1' });
    await dev.ready;
    // A terminal's Ctrl-C sends SIGINT to the whole foreground process group.
    process.kill(-dev.child.pid!, 'SIGINT');
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toContain('Stopped: every running handler finished and settled its messages.');
    expect(dev.output()).not.toMatch(/ECONNREFUSED|failed to poll|ECONNRESET|socket hang up/);
  });

  it('says in one line that the console port is taken, and exits instead of running on without a console', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const dev = startDev(['--endpoint', inject('awsEndpoint'), '--console-port', String(port)], scrubbedEnv());
      dev.ready.catch(() => undefined);
      const code = await Promise.race([dev.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
      expect(code).toBe(1);
      expect(dev.output()).toContain(`postbox: port ${port} of the console is in use (another postbox dev?); pass --console-port 0`);
      expect(dev.output()).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  }, 40_000);
});
