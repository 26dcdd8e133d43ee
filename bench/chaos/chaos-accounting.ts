import type { Message } from '@aws-sdk/client-sqs';
import { readFailureRecord } from '../../lib/messages/failure-record.ts';
import type { Effect } from './effect-ledger.ts';
import { messageKey } from './chaos-handlers.ts';

/** A message the run expects on a queue: each event once per subscriber that wants its type, each command once. */
export interface ExpectedDelivery {
  readonly queue: string;
  readonly key: string;
}

/** What a DLQ held at the end. */
export interface DeadLetterEntry {
  readonly queue: string;
  readonly key: string | undefined;
  readonly reason: string | undefined;
}

export interface ChaosTally {
  readonly published: number;
  readonly deliveries: number;
  readonly processed: number;
  readonly lost: readonly ExpectedDelivery[];
  readonly duplicateEffects: number;
  /** Duplicates whose earlier effect came from a worker process SIGKILLed after it: killed between success and delete. */
  readonly duplicatesFromKills: number;
  readonly deadLetteredWithReason: number;
  readonly deadLetteredWithoutReason: readonly DeadLetterEntry[];
  /** Messages both handled and found in a DLQ (handled, then failed again on a redelivery). */
  readonly handledAndDeadLettered: number;
}

/** The producer's key of a dead-lettered message: from its envelope, or from the data and `type` attribute of a plain publish. */
export function deadLetterEntry(queue: string, message: Message): DeadLetterEntry {
  const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]));
  let key: string | undefined;
  try {
    const body = JSON.parse(message.Body ?? '') as { type?: string; data?: unknown; orderId?: string };
    if (typeof body.type === 'string' && body.data) key = messageKey(body.type, body.data);
    else if (attributes.type && body.orderId) key = messageKey(attributes.type, body);
  } catch {
    key = undefined;
  }
  return { queue, key, reason: readFailureRecord(attributes).errorCode };
}

/**
 * Every expected delivery is handled (an effect recorded) or dead-lettered
 * with a reason; anything else is lost. Duplicate effects are counted by the
 * handlers' idempotency records.
 */
export function tally(
  published: number,
  expected: readonly ExpectedDelivery[],
  effects: readonly Effect[],
  deadLetters: readonly DeadLetterEntry[],
  kills: ReadonlyArray<{ readonly pid: number; readonly at: number }>,
): ChaosTally {
  const id = (queue: string, key: string) => `${queue}|${key}`;
  const effectsOf = new Map<string, Effect[]>();
  for (const effect of effects) {
    const list = effectsOf.get(id(effect.queue, effect.key)) ?? [];
    list.push(effect);
    effectsOf.set(id(effect.queue, effect.key), list);
  }
  const deadLettered = new Set(deadLetters.filter((entry) => entry.key).map((entry) => id(entry.queue, entry.key!)));
  let duplicateEffects = 0;
  let duplicatesFromKills = 0;
  for (const list of effectsOf.values()) {
    list.sort((a, b) => a.at - b.at);
    list.slice(1).forEach((_, index) => {
      duplicateEffects += 1;
      const earlier = list[index]!;
      if (kills.some((kill) => kill.pid === earlier.pid && kill.at >= earlier.at)) duplicatesFromKills += 1;
    });
  }
  const lost = expected.filter((delivery) => !effectsOf.has(id(delivery.queue, delivery.key)) && !deadLettered.has(id(delivery.queue, delivery.key)));
  return {
    published,
    deliveries: expected.length,
    processed: expected.filter((delivery) => effectsOf.has(id(delivery.queue, delivery.key))).length,
    lost,
    duplicateEffects,
    duplicatesFromKills,
    deadLetteredWithReason: deadLetters.filter((entry) => entry.reason !== undefined).length,
    deadLetteredWithoutReason: deadLetters.filter((entry) => entry.reason === undefined),
    handledAndDeadLettered: [...deadLettered].filter((key) => effectsOf.has(key)).length,
  };
}
