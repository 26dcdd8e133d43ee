import type { Message } from '@aws-sdk/client-sqs';
import { readFailureRecord } from '../../lib/messages/failure-record.ts';
import type { Effect } from './effect-ledger.ts';
import { messageKey } from './chaos-handlers.ts';
import { faultFor, type FaultRates } from './fault-plan.ts';

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
  /** The attempt its failure record names: the source queue's receive count when Postbox dead-lettered it. */
  readonly attempt?: number | undefined;
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
  /** Duplicates of a message the producer sent again after a send failed (the outage): SNS may have taken the first one. */
  readonly duplicatesFromResends: number;
  /** Duplicates neither a SIGKILL, the outage nor a resend explains a SIGKILL nor the outage explains: a bug of Postbox's own. */
  readonly unexplainedDuplicates: number;
  readonly deadLetteredWithReason: number;
  readonly deadLetteredWithoutReason: readonly DeadLetterEntry[];
  /** Dead letters with a reason the fault plan did not call for: Postbox refused or gave up on a message it should have handled. */
  readonly unexplainedDeadLetters: readonly DeadLetterEntry[];
  /** Messages both handled and dead-lettered as the plan called for (handled, then failed again on a redelivery). */
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
  const record = readFailureRecord(attributes);
  return { queue, key, reason: record.errorCode, attempt: record.attempt };
}

/** The handlers' fault plan: what `faultFor` decides for each attempt, and how many attempts each queue allows. */
export interface HandlerFaultPlan {
  readonly seed: string;
  readonly rates: FaultRates;
  readonly maxReceiveCount: Readonly<Record<string, number>>;
}

/** What the run did that explains a duplicate or a dead letter. */
export interface InjectedFaults {
  readonly plan: HandlerFaultPlan;
  readonly kills: ReadonlyArray<{ readonly pid: number; readonly at: number }>;
  readonly outage: { readonly from: number; readonly to: number };
  /** How often the producer sent each message (by key) again: each resend may add one copy on every queue. */
  readonly resends: ReadonlyMap<string, number>;
  /** Visibility timeout of each queue, in ms: how long a delete may be late before the message comes back. */
  readonly visibilityMs: Readonly<Record<string, number>>;
}

/**
 * Whether the run's faults call for this dead letter. Only two reasons can:
 * the handler's UnrecoverableError (`CHAOS_UNRECOVERABLE`) on a message the
 * plan makes unrecoverable, and `RETRIES_EXHAUSTED` either on an attempt the
 * plan made throw or hang, or past the last attempt (its attempts ended
 * without a result: a SIGKILL, a dropped response or the outage lost them).
 * Any other reason — a decoding refusal, a Postbox error — is Postbox's own.
 */
export function deadLetterCalledFor(entry: DeadLetterEntry, plan: HandlerFaultPlan): boolean {
  if (entry.key === undefined || entry.reason === undefined) return false;
  if (entry.reason === 'CHAOS_UNRECOVERABLE') return faultFor(plan.seed, entry.queue, entry.key, 1, plan.rates) === 'unrecoverable';
  if (entry.reason !== 'RETRIES_EXHAUSTED' || entry.attempt === undefined) return false;
  const maxReceiveCount = plan.maxReceiveCount[entry.queue];
  if (maxReceiveCount === undefined) return false;
  if (entry.attempt > maxReceiveCount) return true;
  const fault = faultFor(plan.seed, entry.queue, entry.key, entry.attempt, plan.rates);
  return fault === 'throw' || fault === 'hang';
}

/** A SIGKILL this soon after an effect caught its message between success and delete. */
const KILL_WINDOW_MS = 2_000;

/**
 * Every expected delivery is handled (an effect recorded) or dead-lettered
 * as the fault plan called for; anything else is lost. Duplicate effects are
 * counted by the handlers' idempotency records.
 */
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
  const explained = deadLetters.filter((entry) => deadLetterCalledFor(entry, faults.plan));
  const deadLettered = new Set(explained.map((entry) => id(entry.queue, entry.key!)));
  let duplicateEffects = 0;
  let duplicatesFromKills = 0;
  let duplicatesFromOutage = 0;
  let duplicatesFromResends = 0;
  for (const list of effectsOf.values()) {
    list.sort((a, b) => a.at - b.at);
    let resendsLeft = faults.resends.get(list[0]!.key) ?? 0;
    list.slice(1).forEach((_, index) => {
      duplicateEffects += 1;
      const earlier = list[index]!;
      const visibility = faults.visibilityMs[earlier.queue] ?? 0;
      const outageOutlastedIt = faults.outage.to - faults.outage.from > visibility;
      if (faults.kills.some((kill) => kill.pid === earlier.pid && kill.at >= earlier.at && kill.at - earlier.at <= KILL_WINDOW_MS)) duplicatesFromKills += 1;
      else if (outageOutlastedIt && earlier.at >= faults.outage.from - visibility && earlier.at <= faults.outage.to) duplicatesFromOutage += 1;
      else if (resendsLeft > 0) {
        resendsLeft -= 1;
        duplicatesFromResends += 1;
      }
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
    duplicatesFromResends,
    unexplainedDuplicates: duplicateEffects - duplicatesFromKills - duplicatesFromOutage - duplicatesFromResends,
    deadLetteredWithReason: deadLetters.filter((entry) => entry.reason !== undefined).length,
    deadLetteredWithoutReason: deadLetters.filter((entry) => entry.reason === undefined),
    unexplainedDeadLetters: deadLetters.filter((entry) => entry.reason !== undefined && !deadLetterCalledFor(entry, faults.plan)),
    handledAndDeadLettered: [...deadLettered].filter((key) => effectsOf.has(key)).length,
  };
}

/** The run's outcome: exit status 1 with what failed, or 0. */
export interface ChaosVerdict {
  readonly exitCode: 0 | 1;
  readonly failures: readonly string[];
}

/**
 * Fails the run when a message was lost (a dead letter the fault plan did not
 * call for counts as lost), a dead letter has no reason or one the plan did
 * not call for, a duplicate is unexplained (or, with `duplicatesAllowed: false`,
 * there is any duplicate), or the queues did not drain.
 */
export function chaosVerdict(result: ChaosTally, drained: boolean, options: { readonly duplicatesAllowed?: boolean } = {}): ChaosVerdict {
  const failures = [
    ...(result.lost.length > 0 ? [`${result.lost.length} lost`] : []),
    ...(result.unexplainedDeadLetters.length > 0 ? [`${result.unexplainedDeadLetters.length} dead letters the fault plan did not call for`] : []),
    ...(result.deadLetteredWithoutReason.length > 0 ? [`${result.deadLetteredWithoutReason.length} dead letters without a reason`] : []),
    ...(result.unexplainedDuplicates > 0 ? [`${result.unexplainedDuplicates} unexplained duplicate effects`] : []),
    // Idempotent handlers run once per key, whatever the faults: any duplicate is a failure of the guard.
    ...(options.duplicatesAllowed === false && result.duplicateEffects > 0 ? [`${result.duplicateEffects} duplicate effects of idempotent handlers`] : []),
    ...(drained ? [] : ['the queues did not drain']),
  ];
  return { exitCode: failures.length > 0 ? 1 : 0, failures };
}
