import { spawn, type ChildProcess } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DynamoDbOutboxStore } from '../../lib/runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { Outbox } from '../../lib/runtime/publishing/outbox/outbox.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { paymentsTopology } from '../fixtures/payments-service/payments-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';

const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
});

describe('postbox dev with outbox: true', () => {
  it('provisions the outbox table and relays what is written to it', async () => {
    const stage = uniqueStage();
    const args = ['--config', 'test/fixtures/payments-service/postbox.outbox.config.ts', '--stage', stage, '--endpoint', inject('awsEndpoint'), 'dev', '--quiet', '--console-port', '0'];
    const child = spawn(process.execPath, ['bin/postbox.mjs', ...args], { env: { ...process.env, NODE_NO_WARNINGS: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (const deadline = Date.now() + 30_000; !output.includes('Ctrl-C stops it'); ) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`postbox dev did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const store = new DynamoDbOutboxStore({ tableName: `payments-${stage}-outbox`, dynamodb: new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' }) });
    const outbox = new Outbox(new Publisher(paymentsTopology, { source: 'payments-service', stage, ...emulatorClients() }), store);
    // Written once the transaction returns its records; the relay may take it at once, so it is not looked for pending.
    const written = await outbox.transactWrite([], [{ type: 'payment.captured', data: { paymentId: 'p-1', amountCents: 100 } }]);
    expect(written).toHaveLength(1);
    for (const deadline = Date.now() + 10_000; (await store.pending(10)).length > 0; ) {
      if (Date.now() > deadline) throw new Error(`the outbox was not relayed:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await store.deadLetters()).toEqual([]);
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
  });
});
