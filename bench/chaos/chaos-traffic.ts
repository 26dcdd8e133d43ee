import { randomUUID } from 'node:crypto';
import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import type { ExpectedDelivery } from './chaos-accounting.ts';
import { messageKey } from './chaos-handlers.ts';
import type { ChaosTopology } from './chaos-topology.ts';

/** Which queues each message type reaches in the example topology. */
const QUEUES_OF: Record<string, readonly string[]> = {
  'order.placed': ['notifications'],
  'order.cancelled': ['notifications', 'analytics'],
  'invoice.generate': ['invoice-generate'],
};

interface PlannedMessage {
  readonly id: string;
  readonly type: 'order.placed' | 'order.cancelled' | 'invoice.generate';
  readonly data: Record<string, unknown>;
  /** Sent with the plain SNS SDK (JSON body = data, `type` attribute), as a producer without Postbox does. */
  readonly plain: boolean;
}

export interface TrafficReport {
  readonly published: number;
  readonly expected: readonly ExpectedDelivery[];
  /** Sends that failed (the outage) and were sent again: a copy may have arrived. */
  readonly resent: number;
  /** How often each message (by its producer key) was sent again: each time, every queue it reaches may get one more copy. */
  readonly resends: ReadonlyMap<string, number>;
  readonly plainPublishes: number;
}

/** The run's messages: order events (a tenth of them plain SNS publishes) and invoice commands. */
function plan(count: number, random: () => number): PlannedMessage[] {
  return Array.from({ length: count }, (_, index): PlannedMessage => {
    const orderId = `chaos-${index}`;
    const roll = random();
    if (roll < 0.4) {
      return { id: randomUUID(), type: 'order.placed', data: { orderId, customerId: `c-${index % 97}`, totalCents: 100 + index, currency: 'EUR' }, plain: random() < 0.1 };
    }
    if (roll < 0.7) return { id: randomUUID(), type: 'order.cancelled', data: { orderId, reason: 'changed their mind' }, plain: random() < 0.1 };
    return { id: randomUUID(), type: 'invoice.generate', data: { orderId, customerId: `c-${index % 97}`, totalCents: 100 + index, currency: 'EUR' }, plain: false };
  });
}

/** Plain SNS publishes, 10 a call, as any producer that knows only the SDK would send them. */
async function publishPlain(sns: SNSClient, topicArn: string, messages: readonly PlannedMessage[]): Promise<readonly PlannedMessage[]> {
  const { Failed = [] } = await sns.send(
    new PublishBatchCommand({
      TopicArn: topicArn,
      PublishBatchRequestEntries: messages.map((message, index) => ({
        Id: String(index),
        Message: JSON.stringify(message.data),
        MessageAttributes: { type: { DataType: 'String', StringValue: message.type } },
      })),
    }),
  );
  return Failed.map((failure) => messages[Number(failure.Id)]!);
}

/**
 * Publishes `count` messages through the publisher (and a tenth of the events
 * through the plain SDK), sending again, with the same envelope id, whatever
 * failed — the outage falls in the middle of it — until everything was sent.
 */
export async function publishTraffic(
  publisher: Publisher<ChaosTopology>,
  sns: SNSClient,
  topicArn: string,
  count: number,
  random: () => number,
): Promise<TrafficReport> {
  const messages = plan(count, random);
  let resent = 0;
  const resends = new Map<string, number>();
  const sendChunk = async (chunk: readonly PlannedMessage[]): Promise<readonly PlannedMessage[]> => {
    const plain = chunk.filter((message) => message.plain);
    const events = chunk.filter((message) => !message.plain && message.type !== 'invoice.generate');
    const commands = chunk.filter((message) => message.type === 'invoice.generate');
    const unsent: PlannedMessage[] = [];
    const settle = async (batch: readonly PlannedMessage[], send: () => Promise<{ results: ReadonlyArray<{ index: number; status: string }> }>) => {
      if (batch.length === 0) return;
      try {
        const report = await send();
        unsent.push(...report.results.filter((result) => result.status !== 'sent').map((result) => batch[result.index]!));
      } catch {
        unsent.push(...batch);
      }
    };
    const asEntries = (batch: readonly PlannedMessage[]) => batch.map((message) => ({ type: message.type, data: message.data, options: { id: message.id } }));
    await Promise.all([
      settle(events, () => publisher.publishMany(asEntries(events) as never)),
      settle(commands, () => publisher.sendMany(asEntries(commands) as never)),
      ...Array.from({ length: Math.ceil(plain.length / 10) }, (_, i) => plain.slice(i * 10, i * 10 + 10)).map((batch) =>
        publishPlain(sns, topicArn, batch).then(
          (failed) => void unsent.push(...failed),
          () => void unsent.push(...batch),
        ),
      ),
    ]);
    return unsent;
  };
  for (let start = 0; start < messages.length; start += 200) {
    let pending: readonly PlannedMessage[] = messages.slice(start, start + 200);
    while (pending.length > 0) {
      const unsent = await sendChunk(pending);
      if (unsent.length > 0) {
        resent += unsent.length;
        for (const message of unsent) {
          const key = messageKey(message.type, message.data);
          resends.set(key, (resends.get(key) ?? 0) + 1);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      pending = unsent;
    }
  }
  return {
    published: messages.length,
    expected: messages.flatMap((message) => QUEUES_OF[message.type]!.map((queue) => ({ queue, key: messageKey(message.type, message.data) }))),
    resent,
    resends,
    plainPublishes: messages.filter((message) => message.plain).length,
  };
}
