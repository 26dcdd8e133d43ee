import { describe, expect, it } from 'vitest';
import type { JobLock } from '../../lib/runtime/consuming/workers/job-lock.ts';
import { archiveConsumers, gate, sleep } from '../helpers/polling-fixtures.ts';

const { setUp } = archiveConsumers();

/**
 * A lock shared by every worker as the DynamoDB one is (a token per acquisition; the owner's redelivery takes it
 * back), whose release takes a table's round trip; `exited` stands for the process exiting (the worker image calls
 * process.exit once stop resolves): a release still under way then never lands.
 */
function sharedLock(releaseMs: number) {
  const held = new Map<string, { owner: string; token: number }>();
  const mine = new Map<string, number>();
  let tokens = 0;
  const state = { exited: false };
  const lock: JobLock = {
    tryAcquire(key, owner) {
      const current = held.get(key);
      if (current && current.owner !== owner) return false;
      const token = ++tokens;
      held.set(key, { owner, token });
      mine.set(`${key}/${owner}`, token);
      return true;
    },
    async release(key, owner) {
      const token = mine.get(`${key}/${owner}`);
      await sleep(releaseMs);
      if (state.exited) return;
      if (held.get(key)?.token === token) held.delete(key);
    },
  };
  return { lock, held, state };
}

describe('unique jobs when scale-in stops a task mid-job (fault review 22)', () => {
  it('frees the lock of a job it released at the end of the grace, whose handler honoured its signal, before the stop resolves', async () => {
    const { consumer, send } = await setUp();
    const { lock, held, state } = sharedLock(300);
    const started = gate();
    const worker = consumer(
      (_, signal) => {
        started.open();
        return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      },
      { shutdownGraceSeconds: 0.1, uniqueJobs: { key: (message) => (message.data as { paymentId: string }).paymentId, policy: 'skip', lock } },
    );
    await send('job-k');
    worker.start();
    await started.opened;
    expect(held.has('job-k')).toBe(true);
    await worker.stop('signal');
    state.exited = true;
    // Left held, the key's lock makes every other worker skip (delete unrun) a new message of job-k until its lease
    // runs out (the task timeout plus a minute), though no job of that key runs.
    expect(held.has('job-k')).toBe(false);
  }, 30_000);
});
