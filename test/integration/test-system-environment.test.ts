import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSystem } from 'postbox/testing';

const config = fileURLToPath(new URL('../fixtures/parcels-service/postbox.config.ts', import.meta.url));
const VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'POSTBOX_STAGE'] as const;

describe('postbox/testing: the environment after the test systems stopped', () => {
  let before: Record<string, string | undefined>;

  beforeEach(() => {
    before = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('is as it was: no endpoint of a stopped emulator, no region, credentials or stage it set', async () => {
    for (const name of VARIABLES) delete process.env[name];
    const first = await startTestSystem({ config });
    const second = await startTestSystem({ config });
    expect(process.env.AWS_ENDPOINT_URL).toBe(first.endpoint);
    await first.stop();
    await second.stop();
    expect(Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))).toEqual(Object.fromEntries(VARIABLES.map((name) => [name, undefined])));
  });

  it('keeps what was set before', async () => {
    Object.assign(process.env, { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REGION: 'eu-west-1', POSTBOX_STAGE: 'mine' });
    const system = await startTestSystem({ config, endpoint: undefined });
    await system.stop();
    expect(process.env).toMatchObject({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REGION: 'eu-west-1', POSTBOX_STAGE: 'mine' });
  });
});

describe('a test system of a subscriber that contradicts its publisher', () => {
  it("refuses to start, naming the mismatch, instead of waiting for events that go to another topic", async () => {
    const mismatched = fileURLToPath(new URL('../fixtures/mismatched-subscriber/postbox.config.ts', import.meta.url));
    const before = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
    await expect(startTestSystem({ config: mismatched })).rejects.toThrow(
      "Cannot start mismatched: it does not match its publishers' contracts: external topic 'orders': service 'orders' topic 'orders' is standard, declared here as FIFO",
    );
    expect(Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))).toEqual(before);
  });
});
