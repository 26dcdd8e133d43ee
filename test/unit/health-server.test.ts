import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumerHealth } from '../../lib/runtime/consuming/polling/consumer-health.ts';
import { startHealthServer, type HealthServer } from '../../lib/runtime/consuming/workers/health-server.ts';
import type { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';

/** A consumer as the health server sees it: only its health report. */
const reporting = (health: Partial<ConsumerHealth>) =>
  ({
    health: (): ConsumerHealth => ({ status: 'polling', queue: 'jobs', inFlight: 0, waiting: 0, handled: 0, failed: 0, lastPollAt: 0, startedAt: Date.now(), ...health }),
  }) as unknown as PollingConsumer;

let server: HealthServer | undefined;
afterEach(() => server?.close());

async function probe(...consumers: PollingConsumer[]) {
  server = await startHealthServer(consumers, 0);
  const response = await fetch(`http://127.0.0.1:${server.port}/health`);
  return { status: response.status, body: (await response.json()) as { healthy: boolean; consumers: Array<ConsumerHealth & { problem?: string }> } };
}

describe('the health endpoint', () => {
  it('answers 200 for a consumer that has just started, before its first receive returns', async () => {
    expect((await probe(reporting({}))).status).toBe(200);
  });

  it('answers 503 with the reason while the receives of a consumer keep failing, even just after start', async () => {
    const failing = reporting({
      receiveFailure: { since: Date.now() - 3000, failures: 4, error: 'QueueDoesNotExist: The specified queue does not exist.' },
    });
    const { status, body } = await probe(reporting({ queue: 'other', lastPollAt: Date.now() }), failing);
    expect(status).toBe(503);
    expect(body.healthy).toBe(false);
    expect(body.consumers[0]!.problem).toBeUndefined();
    expect(body.consumers[1]!.problem).toMatch(/^receives failing for \d+ s \(4 attempts\): QueueDoesNotExist: The specified queue does not exist\.$/);
  });

  it('answers 503 when no receive has returned within the stale period and no task runs', async () => {
    const { status, body } = await probe(reporting({ startedAt: Date.now() - 120_000, lastPollAt: Date.now() - 90_000 }));
    expect(status).toBe(503);
    expect(body.consumers[0]!.problem).toMatch(/^no receive returned for 90 s$/);
  });

  it('answers 503 for a consumer that is stopping', async () => {
    const { status, body } = await probe(reporting({ status: 'stopping' }));
    expect(status).toBe(503);
    expect(body.consumers[0]!.problem).toBe('stopping');
  });
});
