import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';

const config = fileURLToPath(new URL('../fixtures/payments-service/postbox.prefetch.config.ts', import.meta.url));

describe("postbox/testing runs a worker with its workers module's prefetch", () => {
  const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-prefetch-')), 'postbox.log');
  let system: TestSystem;

  beforeAll(async () => {
    process.env.POSTBOX_LOG_FILE = logFile;
    system = await startTestSystem({ config });
  });

  afterAll(async () => {
    await system?.stop();
    delete process.env.POSTBOX_LOG_FILE;
  });

  it('starts the receipts consumer reading two messages ahead, and it handles what arrives', async () => {
    const published = await system.publish('payment.captured', { paymentId: 'p-prefetch', amountCents: 100 });
    expect(await system.waitFor(published.id, { queue: 'receipts' })).toEqual([{ queue: 'receipts', messageType: 'payment.captured', status: 'handled', attempts: 1 }]);
    const started = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"consumer started"'))
      .map((line) => JSON.parse(line) as { prefetch?: number; queue?: string });
    expect(started.filter((line) => line.queue === 'receipts').map((line) => line.prefetch)).toEqual([2]);
  });
});
