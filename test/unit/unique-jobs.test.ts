import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import type { HandlerContext, MessageHandler } from '../../lib/runtime/consuming/handler-context.ts';
import { InMemoryJobLock } from '../../lib/runtime/consuming/workers/job-lock.ts';
import { JobLockedError } from '../../lib/runtime/consuming/polling/polling-errors.ts';
import { withUniqueJobs } from '../../lib/runtime/consuming/workers/unique-jobs.ts';

const envelope = (jobKey: string) => ({ type: 'job.run', data: { jobKey } }) as unknown as Envelope;
const context = (messageId: string, attempt = 1): HandlerContext => ({
  messageId,
  attempt,
  queue: 'jobs',
  logger: createLogger({}, { write: () => undefined }),
  traceContext: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  reply: async () => undefined,
});

/** A handler whose runs stay open until finished by hand, and which notes each run. */
function openJobs() {
  const runs: string[] = [];
  const finishers: Array<() => void> = [];
  const handler: MessageHandler<any> = (message, { messageId }) => {
    runs.push(`${message.data.jobKey}:${messageId}`);
    return new Promise<void>((resolve) => finishers.push(resolve));
  };
  const finishAll = () => {
    for (const finish of finishers.splice(0)) finish();
  };
  return { runs, handler, finishAll };
}

describe('InMemoryJobLock', () => {
  it('holds a key for one message until each of its attempts is done; the same message takes it again, another does not', () => {
    const lock = new InMemoryJobLock();
    expect(lock.tryAcquire('job', 'm-1')).toBe(true);
    expect(lock.tryAcquire('job', 'm-2')).toBe(false);
    expect(lock.tryAcquire('job', 'm-1')).toBe(true);
    lock.release('job', 'm-2');
    expect(lock.tryAcquire('job', 'm-2')).toBe(false);
    // Held by both attempts of m-1: free once both are done.
    lock.release('job', 'm-1');
    expect(lock.tryAcquire('job', 'm-2')).toBe(false);
    lock.release('job', 'm-1');
    expect(lock.tryAcquire('job', 'm-2')).toBe(true);
  });
});

describe('withUniqueJobs', () => {
  it.each(['skip', 'wait'] as const)("runs a message whose own earlier attempt still holds the job's lock (policy '%s')", async (policy) => {
    const jobs = openJobs();
    const { 'job.run': run } = withUniqueJobs({ 'job.run': jobs.handler } as never, { key: (m) => (m.data as { jobKey: string }).jobKey, policy }) as Record<
      string,
      MessageHandler<any>
    >;
    const firstAttempt = run!(envelope('a'), context('m-1', 1));
    const redelivery = run!(envelope('a'), context('m-1', 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(jobs.runs).toEqual(['a:m-1', 'a:m-1']);
    jobs.finishAll();
    await Promise.all([firstAttempt, redelivery]);
  });

  it("skips, or makes wait, another message with the key of a job that runs", async () => {
    const jobs = openJobs();
    const wrap = (policy: 'skip' | 'wait') =>
      (withUniqueJobs({ 'job.run': jobs.handler } as never, { key: (m) => (m.data as { jobKey: string }).jobKey, policy }) as Record<string, MessageHandler<any>>)['job.run']!;
    const skipping = wrap('skip');
    const running = skipping(envelope('a'), context('m-1'));
    expect(await skipping(envelope('a'), context('m-2'))).toBeUndefined();
    const waiting = wrap('wait');
    const runningToo = waiting(envelope('b'), context('m-3'));
    await expect(waiting(envelope('b'), context('m-4'))).rejects.toBeInstanceOf(JobLockedError);
    expect(jobs.runs).toEqual(['a:m-1', 'b:m-3']);
    jobs.finishAll();
    await Promise.all([running, runningToo]);
  });

  it('runs every message without a job key, even at once', async () => {
    const jobs = openJobs();
    const lock = new InMemoryJobLock();
    const run = (withUniqueJobs({ 'job.run': jobs.handler } as never, { key: () => undefined, policy: 'skip', lock }) as Record<string, MessageHandler<any>>)['job.run']!;
    const both = [run(envelope('a'), context('m-1')), run(envelope('a'), context('m-2'))];
    expect(jobs.runs).toEqual(['a:m-1', 'a:m-2']);
    jobs.finishAll();
    await Promise.all(both);
  });

  it("releases a job's key when it fails, so the next message with that key runs, and passes the failure on", async () => {
    const lock = new InMemoryJobLock();
    const failing: MessageHandler<any> = () => Promise.reject(new Error('job failed'));
    const run = (withUniqueJobs({ 'job.run': failing } as never, { key: (m) => (m.data as { jobKey: string }).jobKey, policy: 'wait', lock }) as Record<
      string,
      MessageHandler<any>
    >)['job.run']!;
    await expect(run(envelope('a'), context('m-1'))).rejects.toThrowError('job failed');
    expect(lock.tryAcquire('a', 'm-2')).toBe(true);
  });

  it('keeps the result of a job whose lock cannot be released, and logs that instead of failing it', async () => {
    const lines: string[] = [];
    const lock = { tryAcquire: () => true, release: () => Promise.reject(new Error('lock store down')) };
    const run = (withUniqueJobs({ 'job.run': () => 'done' } as never, { key: () => 'a', policy: 'skip', lock }) as Record<string, MessageHandler<any>>)['job.run']!;
    const logged = { ...context('m-1'), logger: createLogger({}, { write: (line) => lines.push(line) }) };
    expect(await run(envelope('a'), logged)).toBe('done');
    expect(lines.join('\n')).toMatch(/could not release the job lock/);
  });
});
