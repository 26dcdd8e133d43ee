import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { PollingConsumer, type PollingConsumerOptions } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from './emulator.ts';
import { paymentsTopology } from './payments-topology.ts';

type Payments = typeof paymentsTopology;
const clients = emulatorClients();

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polling consumers of payments' `archive` worker queue, each stopped after its test. */
export function archiveConsumers() {
  const running: PollingConsumer<Payments>[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
  });
  return {
    running,
    /** A stage of its own, a consumer factory for its archive queue that logs into `logs`, and a sender. */
    async setUp() {
      const stage = uniqueStage();
      const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
      const archive = provisioned.queues.get('archive')!;
      const logs: Array<Record<string, unknown>> = [];
      const consumer = (handle: (message: Envelope<{ paymentId: string }>, signal?: AbortSignal) => unknown, options: Partial<PollingConsumerOptions<Payments>> = {}) => {
        const created = new PollingConsumer(paymentsTopology, {
          stage,
          queue: 'archive',
          sqs: clients.sqs,
          queueUrl: archive.url,
          deadLetterQueueUrl: archive.deadLetterUrl,
          waitTimeSeconds: 1,
          logger: createLogger({}, { write: (line) => logs.push(JSON.parse(line)) }),
          writeMetrics: () => undefined,
          random: () => 0,
          handlers: { 'payment.received': (message, context) => handle(message, context.signal) },
          ...options,
        });
        running.push(created);
        return created;
      };
      const send = async (paymentId: string) =>
        clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: archive.url,
            MessageBody: JSON.stringify({ paymentId, amountCents: 1 }),
            MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
          }),
        );
      return { stage, provisioned, archive, consumer, send, logs };
    },
  };
}

export const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
};

/** A promise to open from outside: handlers wait on it instead of sleeping a guessed time. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Resolves on the first log line whose message starts with `prefix`. */
export const logLine = (logs: Array<Record<string, unknown>>, prefix: string) => until(() => logs.some((line) => String(line.message).startsWith(prefix)));
