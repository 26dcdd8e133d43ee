import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

/*
 * SQS's 12-hour visibility limit counts from each receive: a message received again starts a fresh 12 h,
 * whatever its ApproximateFirstReceiveTimestamp says. A message whose retries spread over more than 12 h
 * (backoff caps up to 12 h are accepted) must keep its heartbeat and its backoff on every later receive.
 */

const clients = emulatorClients();
const HOUR_MS = 3_600_000;
const running: PollingConsumer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

/**
 * The emulator's client, except that messages it hands out say SQS first received them 13 hours ago
 * (what ApproximateFirstReceiveTimestamp says of a message on its sixth receive after 12 h of backoffs),
 * and every ChangeMessageVisibility is recorded.
 */
function receivedLongAgo(real: SQSClient, visibilityChanges: number[]): SQSClient {
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown, options?: unknown) => {
        if (command instanceof ChangeMessageVisibilityCommand) visibilityChanges.push(command.input.VisibilityTimeout!);
        const result = await Reflect.apply(target.send, target, [command, options]);
        if (!(command instanceof ReceiveMessageCommand)) return result;
        const { Messages = [] } = result as { Messages?: Array<{ Attributes?: Record<string, string> }> };
        for (const message of Messages) {
          message.Attributes = { ...message.Attributes, ApproximateFirstReceiveTimestamp: String(Date.now() - 13 * HOUR_MS) };
        }
        return result;
      };
    },
  });
}

async function setUp(handle: (signal: AbortSignal | undefined) => Promise<void>) {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
  const archive = provisioned.queues.get('archive')!;
  const visibilityChanges: number[] = [];
  const consumer = new PollingConsumer(paymentsTopology, {
    stage,
    queue: 'archive',
    sqs: receivedLongAgo(clients.sqs, visibilityChanges),
    queueUrl: archive.url,
    deadLetterQueueUrl: archive.deadLetterUrl,
    waitTimeSeconds: 1,
    logger: createLogger({}, { write: () => undefined }),
    writeMetrics: () => undefined,
    random: () => 0.5,
    handlers: { 'payment.received': (_message, context) => handle(context.signal) },
  });
  running.push(consumer as PollingConsumer);
  await clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: archive.url,
      MessageBody: JSON.stringify({ paymentId: 'p-1', amountCents: 1 }),
      MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
    }),
  );
  return { consumer, archive, visibilityChanges };
}

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('the 12-hour visibility budget of a message first received long ago', () => {
  it('keeps extending a long task of a message received now, though its first receive was 13 hours ago', async () => {
    let aborted = false;
    let finished = false;
    const { consumer, archive, visibilityChanges } = await setUp(async (signal) => {
      // Runs until the heartbeat has extended its visibility (2 s) twice, or until it is aborted.
      await new Promise<void>((resolve) => {
        signal?.addEventListener('abort', () => {
          aborted = true;
          resolve();
        });
        void until(() => visibilityChanges.length >= 2).then(resolve, resolve);
      });
      finished = true;
    });
    consumer.start();
    await until(() => finished);
    expect(aborted).toBe(false);
    expect(visibilityChanges.slice(0, 2)).toEqual([2, 2]);
    await until(async () => (await queueDepth(clients.sqs, archive.url)).inFlight === 0);
    expect(await queueDepth(clients.sqs, archive.url)).toEqual({ visible: 0, inFlight: 0 });
  }, 30_000);

  it('backs a failed attempt off by its backoff, not 0 s, though its first receive was 13 hours ago', async () => {
    let attempts = 0;
    const { consumer, visibilityChanges } = await setUp(async () => {
      attempts += 1;
      throw new Error('downstream unavailable');
    });
    consumer.start();
    await until(() => attempts >= 1 && visibilityChanges.length >= 1);
    // Backoff base 1 s, cap 2 s: the retry is hidden for at least a second, never handed straight back.
    expect(visibilityChanges[0]).toBeGreaterThan(0);
  }, 30_000);
});
