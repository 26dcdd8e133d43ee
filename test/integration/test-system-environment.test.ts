import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTestSystem } from 'postbox/testing';

const relay = fileURLToPath(new URL('../fixtures/relay-service/postbox.config.ts', import.meta.url));
const payments = fileURLToPath(new URL('../fixtures/payments-service/postbox.config.ts', import.meta.url));
const variables = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'POSTBOX_STAGE'];
const snapshot = () => Object.fromEntries(variables.map((name) => [name, process.env[name]]));

describe('what a test system does to the environment of its process', () => {
  it("lets a worker's own Publisher, made without a stage, address the test system's stage", async () => {
    await using system = await startTestSystem({ config: relay });
    const { id } = await system.send('job.start', { jobId: 'j-1' });
    expect(await system.waitFor(id)).toMatchObject([{ queue: 'job-start', status: 'handled' }]);
    expect(await system.waitFor(`finish-${id}`, { queue: 'job-finish' })).toMatchObject([{ queue: 'job-finish', status: 'handled' }]);
  });

  it('is as it was once every system stopped, two at once included', async () => {
    const before = snapshot();
    const first = await startTestSystem({ config: payments });
    const second = await startTestSystem({ config: payments });
    expect(process.env.AWS_ENDPOINT_URL).toBe(first.endpoint);
    expect(process.env.POSTBOX_STAGE).toBe(first.stage);
    await first.stop();
    await second.stop();
    expect(snapshot()).toEqual(before);
  });
});
