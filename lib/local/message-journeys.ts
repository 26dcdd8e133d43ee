import { EXTERNAL_SOURCE } from '../messages/message-codec.ts';
import { MESSAGE_TYPE_ATTRIBUTE } from '../messages/wire-contract.ts';
import { describeError, errorCode } from '../messages/message-errors.ts';
import type { SettledMessage } from '../runtime/consuming/message-hooks.ts';
import type { ResolvedQueue } from '../topology/resolved-topology.ts';
import { envelopeIdOfBody } from './message-outcome-log.ts';

/** How many messages the console remembers: the last 5,000 seen, the oldest forgotten first. */
export const JOURNEY_CAPACITY = 5_000;
/** Hops kept per message: a message redriven again and again keeps its first ones and its last ones. */
const HOPS_PER_MESSAGE = 60;
/** Characters of a message's data kept for the text search. */
const DATA_TEXT_LIMIT = 2_000;

export type HopKind = 'published' | 'routed' | 'filtered-out' | 'attempt' | 'redriven';
export type AttemptOutcome = 'handled' | 'retrying' | 'dead-lettered';

/** One thing that happened to a message, at a time. */
export interface JourneyHop {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly kind: HopKind;
  /** The queue's logical name (subscriber or command handler), where the hop is on a queue. */
  readonly queue?: string;
  /** Attempts only: how it ended. */
  readonly outcome?: AttemptOutcome;
  readonly attempt?: number;
  readonly durationMs?: number;
  readonly retryInSeconds?: number;
  /** Dead-lettered or failed attempts: the failure's stable code and its message. */
  readonly reason?: { readonly code: string; readonly message: string };
  /** The hop in words, as the console shows it. */
  readonly text: string;
}

export interface MessageJourney {
  /** The envelope's id (a plain SNS message has none: its SQS message id stands in, one per queue). */
  readonly id: string;
  readonly type: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly source: string;
  readonly hops: readonly JourneyHop[];
  /** Where it is now on each queue it reached: the outcome of its last attempt there. */
  readonly status: Readonly<Record<string, AttemptOutcome>>;
}

/** A hop in the timeline of several messages: which message it is of. */
export interface TimelineHop extends JourneyHop {
  readonly message: string;
  readonly type: string;
}

export interface JourneySummary {
  readonly id: string;
  readonly type: string;
  readonly correlationId: string;
  readonly firstAt: number;
  readonly status: Readonly<Record<string, AttemptOutcome>>;
}

interface Entry {
  id: string;
  type: string;
  correlationId: string;
  causationId?: string;
  source: string;
  sqsIds: Set<string>;
  dataText: string;
  hops: JourneyHop[];
  status: Record<string, AttemptOutcome>;
}

/**
 * Where each message went, hop by hop, in the local system: recorded from the consumers' own settlements (the message
 * hooks every consumer runs, on AWS too) and the topology's subscriptions, so the journey and what the handlers did
 * cannot disagree. Bounded: the last {@link JOURNEY_CAPACITY} messages.
 */
export class MessageJourneys {
  private readonly entries = new Map<string, Entry>();
  private readonly byCorrelation = new Map<string, Set<string>>();
  private readonly queuesByName: ReadonlyMap<string, ResolvedQueue>;

  constructor(
    private readonly queues: readonly ResolvedQueue[],
    private readonly capacity = JOURNEY_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {
    this.queuesByName = new Map(queues.map((queue) => [queue.name, queue]));
  }

  /** The `after` hook of every consumer of the local system. Never throws: it runs inside the consumers. */
  readonly record = ({ queue: settledOn, message, outcome, left }: SettledMessage): void => {
    const queue = this.queuesByName.get(settledOn.name);
    if (!queue) return;
    const envelope = outcome.envelope;
    const envelopeId = envelope?.id ?? envelopeIdOfBody(message.body);
    const id = envelopeId ?? message.messageId;
    // A message that could not be decoded still carries the type its producer gave it, which SNS filtered on.
    const type = envelope?.type ?? message.attributes[MESSAGE_TYPE_ATTRIBUTE] ?? (outcome.status === 'failed' ? outcome.messageType : 'unknown');
    const at = this.now();
    let entry = this.entries.get(id);
    if (!entry) {
      entry = {
        id,
        type,
        correlationId: envelope?.correlationid ?? id,
        ...(envelope?.causationid !== undefined && { causationId: envelope.causationid }),
        source: envelope?.source ?? 'unknown',
        sqsIds: new Set(),
        dataText: dataText(envelope?.data ?? message.body),
        hops: this.departure(queue, type, publisherOf(envelope?.source, envelopeId !== undefined), envelope ? Date.parse(envelope.time) : (message.sentTimestamp ?? at)),
        status: {},
      };
      this.remember(entry);
    }
    entry.sqsIds.add(message.messageId);
    const attempt = message.receiveCount;
    const durationMs = outcome.durationMs;
    // Never before its publish: the envelope's time is the publisher's clock (or the producer's own, for a plain message).
    const startedAt = Math.max(at - Math.round(durationMs), entry.hops[0]!.at);
    const was = entry.status[queue.id];
    if (was === 'dead-lettered') this.push(entry, { at: startedAt, kind: 'redriven', queue: queue.id, text: `redriven from the dead-letter queue back to ${queue.id}` });
    const where = `attempt ${attempt} on ${queue.id} (${handlerOf(queue)})`;
    const took = formatMs(durationMs);
    if (outcome.status === 'processed') {
      const text = outcome.duplicate ? `${where}: handled before, acknowledged without running its handler` : `${where}: handled in ${took}`;
      this.push(entry, { at: startedAt, kind: 'attempt', queue: queue.id, outcome: 'handled', attempt, durationMs, text });
      entry.status[queue.id] = 'handled';
      return;
    }
    const reason = { code: errorCode(outcome.error), message: describeError(outcome.error) };
    if (outcome.action === 'retry') {
      const text = `${where}: failed in ${took} (${reason.code}), retrying in ${outcome.delaySeconds} s`;
      this.push(entry, { at: startedAt, kind: 'attempt', queue: queue.id, outcome: 'retrying', attempt, durationMs, retryInSeconds: outcome.delaySeconds, reason, text });
      entry.status[queue.id] = 'retrying';
    } else if (left) {
      const text = `${where}: failed in ${took}, dead-lettered (${reason.code})`;
      this.push(entry, { at: startedAt, kind: 'attempt', queue: queue.id, outcome: 'dead-lettered', attempt, durationMs, reason, text });
      entry.status[queue.id] = 'dead-lettered';
    } else {
      const text = `${where}: failed in ${took} (${reason.code}); its dead-letter copy failed, so it stays on its queue and comes back`;
      this.push(entry, { at: startedAt, kind: 'attempt', queue: queue.id, outcome: 'retrying', attempt, durationMs, reason, text });
      entry.status[queue.id] = 'retrying';
    }
  };

  /**
   * Messages matching `query` (an envelope or SQS message id, a correlation id, a type, or a text in the data), newest
   * first; the latest ones for an empty query.
   */
  search(query: string, limit = 20): JourneySummary[] {
    const wanted = query.trim();
    const text = wanted.toLowerCase();
    const found: JourneySummary[] = [];
    for (const entry of [...this.entries.values()].reverse()) {
      const matches =
        wanted === '' || entry.id === wanted || entry.sqsIds.has(wanted) || entry.correlationId === wanted || entry.type === wanted || entry.dataText.includes(text);
      if (!matches) continue;
      found.push({ id: entry.id, type: entry.type, correlationId: entry.correlationId, firstAt: entry.hops[0]!.at, status: { ...entry.status } });
      if (found.length === limit) break;
    }
    return found;
  }

  /**
   * The journey of one message and of every message of its correlation (those it caused, and its cause): each message
   * with its hops, and all their hops in one timeline.
   */
  journeyOf(id: string): { readonly messages: MessageJourney[]; readonly timeline: TimelineHop[] } | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const messages = [...(this.byCorrelation.get(entry.correlationId) ?? [])]
      .map((member) => this.entries.get(member)!)
      .map(({ id, type, correlationId, causationId, source, hops, status }) => ({
        id,
        type,
        correlationId,
        ...(causationId !== undefined && { causationId }),
        source,
        hops: [...hops].sort((a, b) => a.at - b.at),
        status: { ...status },
      }))
      .sort((a, b) => a.hops[0]!.at - b.hops[0]!.at);
    const timeline = messages.flatMap(({ id, type, hops }) => hops.map((hop) => ({ ...hop, message: id, type }))).sort((a, b) => a.at - b.at);
    return { messages, timeline };
  }

  /** How many messages it holds now. */
  get size(): number {
    return this.entries.size;
  }

  /** Who published it, and which subscriptions of its topic took it or filtered it out (a command goes to its one queue). */
  private departure(queue: ResolvedQueue, type: string, by: string, at: number): JourneyHop[] {
    const hops: JourneyHop[] = [{ at, kind: 'published', text: `${type} ${by}` }];
    const topicId = queue.subscription?.topicId;
    if (topicId === undefined) return [...hops, { at, kind: 'routed', queue: queue.id, text: `sent to the queue of ${queue.id}` }];
    for (const subscriber of this.queues.filter((candidate) => candidate.subscription?.topicId === topicId)) {
      const allowed = subscriber.subscription!.filterPolicy.type ?? [];
      hops.push(
        allowed.includes(type)
          ? { at, kind: 'routed', queue: subscriber.id, text: `fanned out from topic ${topicId} to ${subscriber.id}` }
          : { at, kind: 'filtered-out', queue: subscriber.id, text: `filtered out by the subscription of ${subscriber.id} (type ∈ ${allowed.join(', ')})` },
      );
    }
    return hops;
  }

  private push(entry: Entry, hop: JourneyHop): void {
    // The departure hops and the latest attempts tell the story; the middle of a long loop of redrives does not.
    if (entry.hops.length >= HOPS_PER_MESSAGE) entry.hops.splice(HOPS_PER_MESSAGE / 2, 1);
    entry.hops.push(hop);
  }

  private remember(entry: Entry): void {
    this.entries.set(entry.id, entry);
    const members = this.byCorrelation.get(entry.correlationId) ?? new Set<string>();
    members.add(entry.id);
    this.byCorrelation.set(entry.correlationId, members);
    if (this.entries.size <= this.capacity) return;
    const oldest = this.entries.values().next().value!;
    this.entries.delete(oldest.id);
    const group = this.byCorrelation.get(oldest.correlationId)!;
    group.delete(oldest.id);
    if (group.size === 0) this.byCorrelation.delete(oldest.correlationId);
  }
}

/** Who published a message, as far as what arrived tells: a Postbox envelope names its source; a plain message none. */
function publisherOf(source: string | undefined, hasEnvelope: boolean): string {
  if (source === EXTERNAL_SOURCE) return 'published with plain SNS or SQS (no Postbox envelope)';
  if (source !== undefined) return `published by ${source} through Postbox`;
  // Not decoded: a Postbox envelope whose data failed its schema, or a body that is not one.
  return hasEnvelope ? 'published through Postbox (its envelope could not be decoded whole)' : 'published with plain SNS or SQS (its body could not be decoded)';
}

function handlerOf(queue: ResolvedQueue): string {
  return queue.handler.kind === 'lambda' ? `Lambda handler ${queue.handler.entry}` : 'worker';
}

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

function dataText(data: unknown): string {
  const text = typeof data === 'string' ? data : (JSON.stringify(data) ?? '');
  return text.slice(0, DATA_TEXT_LIMIT).toLowerCase();
}
