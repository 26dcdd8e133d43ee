import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const directory = mkdtempSync(path.join(os.tmpdir(), 'postbox-worker-profile-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('postbox worker signs its calls with the credentials of --profile, as every other command does', async () => {
  const credentials = path.join(directory, 'credentials');
  writeFileSync(credentials, '[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = x\n\n[staging]\naws_access_key_id = STAGINGKEY\naws_secret_access_key = y\n');
  // An endpoint that only notes whose key signed each call, and refuses it.
  const keys: string[] = [];
  const spy = http.createServer((request, response) => {
    const key = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
    if (key) keys.push(key);
    request.resume();
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazonaws.sqs#AccessDenied', message: 'no' }));
  });
  await new Promise<void>((resolve) => spy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(spy.address() as AddressInfo).port}`;
  const { AWS_ACCESS_KEY_ID: _, AWS_SECRET_ACCESS_KEY: __, AWS_PROFILE: ___, ...env } = process.env;
  const worker = spawn(process.execPath, ['--import', 'tsx', 'bin/postbox.ts', '--profile', 'staging', '--endpoint', endpoint, '--stage', 'spy', 'worker', '--wait-time', '1'], {
    env: { ...env, NODE_NO_WARNINGS: '1', AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: path.join(directory, 'none'), AWS_REGION: 'us-east-1' },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 20_000;
    while (keys.length === 0 && Date.now() < deadline && worker.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    worker.kill('SIGKILL');
    spy.close();
  }
  expect(keys.length).toBeGreaterThan(0);
  expect(new Set(keys)).toEqual(new Set(['STAGINGKEY']));
}, 60_000);

it('postbox worker --local refuses a bad option in one line, exit 2, before it starts the emulator', async () => {
  const worker = spawn(process.execPath, ['--import', 'tsx', 'bin/postbox.ts', 'worker', '--local', '--grace', 'abc'], {
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  worker.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  worker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => worker.on('exit', resolve));
  expect(code).toBe(2);
  expect(stderr.trim().split('\n')).toEqual(["postbox: option '--grace <seconds>' argument 'abc' is invalid. expected a positive number"]);
  // Nothing started: no emulator, no provisioning lines.
  expect(stdout).toBe('');
}, 60_000);
