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
  /** Duplicates whose earlier effect came from a worker process SIGKILLed right after it: killed between success and delete. */
  readonly duplicatesFromKills: number;
  /** Duplicates whose earlier effect fell in the outage, which outlasted its queue's visibility timeout: the delete could not reach SQS in time. */
  readonly duplicatesFromOutage: number;
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
/** What the run did that explains a duplicate. */
export interface InjectedFaults {
  readonly kills: ReadonlyArray<{ readonly pid: number; readonly at: number }>;
  readonly outage: { readonly from: number; readonly to: number };
  /** Visibility timeout of each queue, in ms: how long a delete may be late before the message comes back. */
  readonly visibilityMs: Readonly<Record<string, number>>;
}

/** A SIGKILL this soon after an effect caught its message between success and delete. */
const KILL_WINDOW_MS = 2_000;

export function tally(
  published: number,
  expected: readonly ExpectedDelivery[],
  effects: readonly Effect[],
  deadLetters: readonly DeadLetterEntry[],
  faults: InjectedFaults,
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
  let duplicatesFromOutage = 0;
  for (const list of effectsOf.values()) {
    list.sort((a, b) => a.at - b.at);
    list.slice(1).forEach((_, index) => {
      duplicateEffects += 1;
      const earlier = list[index]!;
      const visibility = faults.visibilityMs[earlier.queue] ?? 0;
      const outageOutlastedIt = faults.outage.to - faults.outage.from > visibility;
      if (faults.kills.some((kill) => kill.pid === earlier.pid && kill.at >= earlier.at && kill.at - earlier.at <= KILL_WINDOW_MS)) duplicatesFromKills += 1;
      else if (outageOutlastedIt && earlier.at >= faults.outage.from - visibility && earlier.at <= faults.outage.to) duplicatesFromOutage += 1;
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
    duplicatesFromOutage,
    deadLetteredWithReason: deadLetters.filter((entry) => entry.reason !== undefined).length,
    deadLetteredWithoutReason: deadLetters.filter((entry) => entry.reason === undefined),
    handledAndDeadLettered: [...deadLettered].filter((key) => effectsOf.has(key)).length,
  };
}
