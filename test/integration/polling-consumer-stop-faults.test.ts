import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { faultInjectingSqs } from '../helpers/fault-injecting-sqs.ts';
import { emulatorClients } from '../helpers/emulator.ts';
import { archiveConsumers, gate, sleep, until } from '../helpers/polling-fixtures.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const { setUp } = archiveConsumers();

/**
 * A client of its own whose ReceiveMessage responses, once their headers are in (SQS has handed the messages to
 * this request), wait for `hold` before their body is read: a large batch, or a slow link, takes that long.
 */
function slowBodySqs(hold: (arrived: () => void) => Promise<void>): SQSClient {
  const sqs = emulatorClients().sqs;
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'ReceiveMessageCommand') {
        const length = Number((result.response as { headers: Record<string, string> }).headers['content-length'] ?? 0);
        // An empty long poll's answer is short; one carrying a message is not.
        if (length > 200) await hold(() => undefined);
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'slowBody' },
  );
  return sqs;
}

describe('the polling consumer under faults (review 3)', () => {
  it('on stop, releases the messages of a receive whose answer had arrived, rather than aborting it and hiding them', async () => {
    const { consumer, send, archive } = await setUp();
    const arrived = gate();
    const stopBegun = gate();
    const sqs = slowBodySqs(async () => {
      arrived.open();
      await stopBegun.opened;
      await sleep(50);
    });
    const handled: string[] = [];
    const worker = consumer(({ data }) => void handled.push(data.paymentId), { sqs, waitTimeSeconds: 20, visibilityTimeoutSeconds: 60 });
    worker.start();
    await sleep(300);
    await send('in-hand');
    await arrived.opened;
    const stopped = worker.stop('signal');
    stopBegun.open();
    await stopped;
    // The consumer held the message's response: it releases it (visibility 0), as it does with what a receive brings after stop began.
    await sleep(500);
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 1, inFlight: 0 });
  }, 30_000);

  it('under maxMessages, receives again a message it gave up (visibility lost) and handles it, rather than waiting for a limit it cannot reach', async () => {
    const { consumer, send } = await setUp();
    let attempts = 0;
    // The first attempt's heartbeat extensions fail: its visibility (2 s) runs out and the consumer gives the message up.
    const sqs = faultInjectingSqs(clients.sqs, (command) => (command instanceof ChangeMessageVisibilityCommand && attempts === 1 ? new Error('injected: extension refused') : undefined));
    const worker = consumer(
      async () => {
        attempts += 1;
        if (attempts === 1) await sleep(4000);
      },
      { sqs, limits: { maxMessages: 1 }, visibilityTimeoutSeconds: 2 },
    );
    const stopped = new Promise((resolve) => worker.once('stopped', resolve));
    await send('given-up');
    worker.start();
    expect(await Promise.race([stopped, sleep(20_000).then(() => 'still polling')])).toBe('max-messages');
    // Handled once: by the second attempt, or (on a machine so loaded that the first extension's failure came late
    // enough for a retry to be too late to try) by the first; test/unit/polling-consumer-loop.test.ts pins the order.
    expect({ handled: worker.health().handled, inFlight: worker.health().inFlight }).toEqual({ handled: 1, inFlight: 0 });
    expect(attempts).toBeGreaterThanOrEqual(1);
  }, 30_000);

  describe('POSTBOX_METRICS=off', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('writes its heartbeat line without embedded metrics (Postbox/Worker Heartbeat, InFlight)', async () => {
      vi.stubEnv('POSTBOX_METRICS', 'off');
      const { consumer, logs } = await setUp();
      const worker = consumer(() => undefined, { heartbeatIntervalSeconds: 0.2 });
      worker.start();
      await until(() => logs.some((line) => line.message === 'heartbeat'));
      await worker.stop();
      const metricLines = logs.filter((line) => '_aws' in line);
      expect(metricLines.map((line) => line.message)).toEqual([]);
    }, 30_000);
  });
});
