import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { runCli } from '../../lib/cli/postbox-cli.ts';
import { startFauxqsEmulator } from '../../lib/local/fauxqs-emulator.ts';
import { uniqueStage } from '../helpers/emulator.ts';

/** A project whose config names the payments test topology, with a local stage of its own. */
function project({ outbox = false, topologyModule = 'test/helpers/payments-topology.ts' } = {}): { config: string; stage: string } {
  const stage = uniqueStage();
  const dir = mkdtempSync(path.join(tmpdir(), 'postbox-provision-'));
  const config = path.join(dir, 'postbox.config.mjs');
  const topology = path.resolve(topologyModule);
  writeFileSync(config, `export default { topology: ${JSON.stringify(topology)}, stages: { local: '${stage}', deployed: 'staging' }, outbox: ${outbox} };\n`);
  return { config, stage };
}

async function postbox(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (text) => out.push(text), err: (text) => err.push(text), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('postbox provision', () => {
  it("creates the config's topology under its local stage, and running it again changes nothing", async () => {
    const { config, stage } = project();
    const endpoint = inject('awsEndpoint');
    const first = await postbox(['--config', config, '--endpoint', endpoint, 'provision']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`Provisioned pay (stage ${stage}) at ${endpoint}`);
    expect(first.out).toMatch(new RegExp(`^queue\\s+pay-${stage}-accounting\\s+pay-${stage}-accounting-dlq\\s+payments$`, 'm'));
    expect(first.out).toMatch(new RegExp(`^topic\\s+pay-${stage}-ledger\\.fifo$`, 'm'));
    expect(first.out).toMatch(new RegExp(`^table\\s+pay-${stage}-job-locks$`, 'm'));
    expect(first.out).toMatch(new RegExp(`^bucket\\s+pay-${stage}-payloads-000000000000-us-east-1$`, 'm'));

    const again = await postbox(['--config', config, '--endpoint', endpoint, 'provision']);
    expect(again).toEqual(first);

    const json = await postbox(['--config', config, '--endpoint', endpoint, '--json', 'provision']);
    const report = JSON.parse(json.out);
    expect(report).toMatchObject({ app: 'pay', stage, endpoint, jobLockTable: `pay-${stage}-job-locks`, payloadBucket: `pay-${stage}-payloads-000000000000-us-east-1` });
    expect(report.queues.map((queue: { queue: string }) => queue.queue)).toEqual(['accounting', 'fraud', 'audit', 'archive', 'report-build', 'receipt-archive']);

    // Every command's default stage at that endpoint is the config's local stage: status finds what provision made.
    const status = await postbox(['--config', config, '--endpoint', endpoint, '--json', 'status']);
    expect(status.err).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out).map((row: { name: string }) => row.name)).toContain(`pay-${stage}-accounting`);
  });

  it('creates the outbox table when the config has outbox: true, and none without', async () => {
    const endpoint = inject('awsEndpoint');
    const withOutbox = project({ outbox: true });
    const created = await postbox(['--config', withOutbox.config, '--endpoint', endpoint, '--json', 'provision']);
    expect(JSON.parse(created.out)).toMatchObject({ outboxTable: `pay-${withOutbox.stage}-outbox` });
    expect(await postbox(['--config', withOutbox.config, '--endpoint', endpoint, 'outbox', 'show'])).toMatchObject({ code: 0, out: `no send dead-letters in outbox table pay-${withOutbox.stage}-outbox` });
    const without = project();
    expect(JSON.parse((await postbox(['--config', without.config, '--endpoint', endpoint, '--json', 'provision'])).out).outboxTable).toBeUndefined();
  });

  it('provisions under --stage when given', async () => {
    const { config } = project();
    const stage = uniqueStage();
    const result = await postbox(['--config', config, '--endpoint', inject('awsEndpoint'), '--stage', stage, '--json', 'provision']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).queues[0].name).toBe(`pay-${stage}-accounting`);
  });

  it.each([
    'https://sqs.us-east-1.amazonaws.com',
    'https://sqs.cn-north-1.amazonaws.com.cn',
    'https://sqs.eu-west-1.api.aws',
    'https://sqs.us-east-1.amazonaws.com.',
    'https://sqs.eusc-de-east-1.amazonaws.eu',
    'https://sqs.us-iso-east-1.c2s.ic.gov',
    'http://localstack:4566',
    undefined,
  ])('refuses %s, which is not loopback nor declared an emulator, with exit 2 and one line saying to use cdk deploy', async (endpoint) => {
    vi.stubEnv('AWS_ENDPOINT_URL', undefined);
    vi.stubEnv('POSTBOX_EMULATOR_HOSTS', undefined);
    const { config } = project();
    const result = await postbox(['--config', config, ...(endpoint ? ['--endpoint', endpoint] : []), 'provision']);
    const reason = endpoint
      ? `${endpoint} is taken for AWS (its host is not loopback, nor named in POSTBOX_EMULATOR_HOSTS)`
      : 'no --endpoint or AWS_ENDPOINT_URL names one';
    expect(result).toEqual({
      code: 2,
      out: '',
      err: `postbox: provision creates a topology at an emulator or LocalStack only, and ${reason}; deploy a stage to AWS with npx cdk deploy -c stage=staging`,
    });
  });

  it('provisions at a host named in POSTBOX_EMULATOR_HOSTS, LocalStack in a container network say (here unreachable: exit 4)', async () => {
    vi.stubEnv('POSTBOX_EMULATOR_HOSTS', 'localstack.invalid');
    const { config } = project();
    const result = await postbox(['--config', config, '--endpoint', 'http://localstack.invalid:4566', 'provision']);
    expect(result.code).toBe(4);
    expect(result.err).toMatch(/^postbox: .*http:\/\/localstack\.invalid:4566/);
  });

  it('works at a loopback endpoint with no region and no credentials in the environment', () => {
    const { config, stage } = project();
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && name !== 'POSTBOX_STAGE'));
    const result = spawnSync(process.execPath, ['bin/postbox.mjs', '--config', config, '--endpoint', inject('awsEndpoint'), 'provision'], {
      encoding: 'utf8',
      env: { ...env, NODE_NO_WARNINGS: '1', HOME: mkdtempSync(path.join(tmpdir(), 'postbox-home-')) },
      timeout: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`pay-${stage}-accounting`);
  });

  it('creates and names the idempotency table of a topology whose queues declare idempotency (the orders example)', async () => {
    const { config, stage } = project({ topologyModule: 'examples/orders/orders-topology.ts' });
    const endpoint = inject('awsEndpoint');
    const result = await postbox(['--config', config, '--endpoint', endpoint, 'provision']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^table\\s+orders-${stage}-idempotency$`, 'm'));
    const report = JSON.parse((await postbox(['--config', config, '--endpoint', endpoint, '--json', 'provision'])).out);
    expect(report.idempotencyTable).toBe(`orders-${stage}-idempotency`);
  });

  it('provisions the queues and topics at an emulator without DynamoDB or S3 (fauxqs alone), saying there is no job lock table nor payload bucket', async () => {
    const { config, stage } = project();
    const emulator = await startFauxqsEmulator({ moto: false });
    try {
      const result = await postbox(['--config', config, '--endpoint', emulator.endpoint, 'provision']);
      expect(result.err).toBe(
        `postbox: no job lock or idempotency table: ${emulator.endpoint} serves no DynamoDB; unique jobs lock within each worker process, and idempotency records are kept in memory there\n` +
          `postbox: no payload bucket: ${emulator.endpoint} serves no S3; a message over its destination's limit is refused there`,
      );
      expect(result.code).toBe(0);
      expect(result.out).toContain(`pay-${stage}-accounting`);
    } finally {
      await emulator.stop();
    }
  });
});
