import { spawn } from 'node:child_process';
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startFauxqsEmulator } from '../../lib/local/fauxqs-emulator.ts';
import { createAwsClients } from '../../lib/aws/aws-clients.ts';
import { endpointClientOptions } from '../../lib/aws/local-endpoint.ts';

describe('fauxqs without moto (npm start before the test suite installed moto)', () => {
  it('serves SQS and SNS alone and says it has no DynamoDB', async () => {
    const emulator = await startFauxqsEmulator({ moto: false });
    try {
      expect(emulator.dynamodb).toBe(false);
      const { sqs } = createAwsClients(endpointClientOptions({ endpoint: emulator.endpoint }));
      await sqs.send(new CreateQueueCommand({ QueueName: 'alone' }));
      expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'alone' }))).QueueUrl).toMatch(/alone$/);
    } finally {
      await emulator.stop();
    }
  });
});

describe('postbox dev at an emulator without DynamoDB', () => {
  it('runs every service, workers included, with unique jobs locked in the process, instead of failing on the lock table', async () => {
    const emulator = await startFauxqsEmulator({ moto: false });
    const child = spawn(process.execPath, ['bin/postbox.mjs', 'dev', '--quiet', '--console-port', '0', '--endpoint', emulator.endpoint], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await expect.poll(() => output, { timeout: 30_000 }).toMatch(/Ctrl-C stops it|postbox: /);
      expect(output).toContain('Ctrl-C stops it');
      expect(output).toContain('unique jobs are locked and idempotency records kept in this process only');
      process.kill(-child.pid!, 'SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      await emulator.stop();
    }
  }, 60_000);
});
