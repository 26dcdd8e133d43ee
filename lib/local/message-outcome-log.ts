import { describeError, errorCode } from '../messages/message-errors.ts';
import { UnknownQueueError } from '../operations/queue-directory.ts';
import type { SettledMessage } from '../runtime/consuming/message-hooks.ts';
import type { ResolvedTopology } from '../topology/resolve-topology.ts';
import { WaitTimeoutError } from './test-system-errors.ts';

/** Where a message ended on one queue: handled, or dead-lettered (a retry is no end). */
export interface MessageOutcome {
  /** The queue's logical name: the subscriber's name, or the command queue id. */
  readonly queue: string;
  readonly messageType: string;
  readonly status: 'handled' | 'dead-lettered';
  /** Why it was dead-lettered: the failure's stable code and its message. Dead-lettered only. */
  readonly reason?: { readonly code: string; readonly message: string };
  /** Receives of the message on this queue, the last one included. */
  readonly attempts: number;
}

export interface WaitForOptions {
  /** Wait on this queue only (its logical name). @default every queue the topology routes the message's type to */
  readonly queue?: string;
  /** @default 30_000 */
  readonly timeoutMs?: number;
}

/** One settlement of a message on a queue: an end, or a failed attempt that comes back. */
interface Settlement {
  readonly queue: string;
  readonly messageType: string;
  readonly attempts: number;
  readonly end?: MessageOutcome;
  /** What a failed attempt that is no end did. */
  readonly note?: string;
}

/**
 * What the consumers of one resolved topology did with each message, by envelope id, and waits on it. It
 * keeps only its own queues' messages (their names carry the stage), so systems of one process stay apart.
 */
export class MessageOutcomeLog {
  private readonly queueIdsByName: ReadonlyMap<string, string>;
  private readonly settlements = new Map<string, Settlement[]>();
  private readonly typesById = new Map<string, string>();
  private readonly changed = new Set<() => void>();

  constructor(private readonly topology: ResolvedTopology) {
    this.queueIdsByName = new Map(topology.queues.map((queue) => [queue.name, queue.id]));
  }

  /** The `after` hook of every consumer of the test system. Never throws: it runs inside the consumers. */
  readonly record = ({ queue, message, outcome, left }: SettledMessage): void => {
    const queueId = this.queueIdsByName.get(queue.name);
    if (queueId === undefined) return;
    const id = outcome.envelope?.id ?? envelopeIdOfBody(message.body) ?? message.messageId;
    const messageType = outcome.status === 'processed' ? outcome.envelope.type : (outcome.envelope?.type ?? outcome.messageType);
    const attempts = message.receiveCount;
    let settlement: Settlement;
    if (outcome.status === 'processed') {
      settlement = { queue: queueId, messageType, attempts, end: { queue: queueId, messageType, status: 'handled', attempts } };
    } else if (outcome.action === 'dead-letter' && left) {
      const reason = { code: errorCode(outcome.error), message: describeError(outcome.error) };
      settlement = { queue: queueId, messageType, attempts, end: { queue: queueId, messageType, status: 'dead-lettered', reason, attempts } };
    } else {
      const what = outcome.action === 'retry' ? 'retrying' : 'its dead-letter copy failed, it stays on its queue';
      settlement = { queue: queueId, messageType, attempts, note: `attempt ${attempts} failed, ${what}: ${describeError(outcome.error)}` };
    }
    const list = this.settlements.get(id) ?? [];
    list.push(settlement);
    this.settlements.set(id, list);
    for (const notify of this.changed) notify();
  };

  /** Notes the type of a message this system published, so a wait knows its queues before any settles it. */
  published(id: string, type: string): void {
    this.typesById.set(id, type);
  }

  /** Resolves with the end of the message on each queue waited on, in the order they ended. */
  waitFor(id: string, options: WaitForOptions = {}): Promise<MessageOutcome[]> {
    const { queue, timeoutMs = 30_000 } = options;
    if (queue !== undefined && !this.topology.queues.some((candidate) => candidate.id === queue)) {
      const queues = this.topology.queues.map((candidate) => `'${candidate.id}'`).join(', ');
      return Promise.reject(new UnknownQueueError(`Cannot wait for message ${id}: queue '${queue}' is not in topology '${this.topology.app}'; its queues are ${queues}.`));
    }
    return new Promise((resolve, reject) => {
      const check = () => {
        const ends = this.ends(id, queue);
        if (!ends) return;
        finish();
        resolve(ends);
      };
      const timer = setTimeout(() => {
        finish();
        reject(this.timeoutError(id, queue, timeoutMs));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.changed.delete(check);
      };
      this.changed.add(check);
      check();
    });
  }

  /** The queues a message is waited on: the one asked for, else those its type is routed to, else those it reached. */
  private queuesOf(id: string, queue: string | undefined): { type: string | undefined; queues: string[] } {
    const seen = this.settlements.get(id) ?? [];
    const type = this.typesById.get(id) ?? seen[0]?.messageType;
    if (queue !== undefined) return { type, queues: [queue] };
    const routed = type === undefined ? [] : this.topology.queues.filter((candidate) => candidate.messageTypes.includes(type)).map((candidate) => candidate.id);
    return { type, queues: routed.length > 0 ? routed : [...new Set(seen.map((settlement) => settlement.queue))] };
  }

  private ends(id: string, queue: string | undefined): MessageOutcome[] | undefined {
    const { queues } = this.queuesOf(id, queue);
    if (queues.length === 0) return undefined;
    const ends = new Map<string, MessageOutcome>();
    for (const settlement of this.settlements.get(id) ?? []) {
      if (settlement.end && queues.includes(settlement.queue) && !ends.has(settlement.queue)) ends.set(settlement.queue, settlement.end);
    }
    return ends.size === queues.length ? [...ends.values()] : undefined;
  }

  private timeoutError(id: string, queue: string | undefined, timeoutMs: number): WaitTimeoutError {
    const { type, queues } = this.queuesOf(id, queue);
    const { app, stage } = this.topology;
    if (queues.length === 0) {
      return new WaitTimeoutError(
        id,
        [],
        `waitFor gave up: message ${id} reached no queue of app '${app}' at stage '${stage}' within ${timeoutMs} ms; ` +
          "publish it through this system (system.publish or system.send), or to this stage's topics and queues, and pass the id that publish returned.",
      );
    }
    const seen = this.settlements.get(id) ?? [];
    const waiting = queues.filter((candidate) => !seen.some((settlement) => settlement.queue === candidate && settlement.end));
    const progress = queues.map((candidate) => {
      const mine = seen.filter((settlement) => settlement.queue === candidate);
      const end = mine.find((settlement) => settlement.end)?.end;
      if (end) return `${candidate}: ${end.status} after ${end.attempts} attempt(s)`;
      return `${candidate}: ${mine.length > 0 ? mine.map((settlement) => settlement.note).join('; ') : 'nothing received yet'}`;
    });
    return new WaitTimeoutError(
      id,
      waiting,
      `waitFor gave up: message ${id} (${type ?? 'type unknown'}) did not reach an end within ${timeoutMs} ms: still waiting on ${waiting.join(', ')}; ` +
        `so far ${progress.join(' | ')}. Read its handlers' logs; if they are only slow, or retry with a long backoff, raise timeoutMs.`,
    );
  }
}

/** The id of a CloudEvents envelope that could not be decoded whole (its data failed its schema), if it has one. */
export function envelopeIdOfBody(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { specversion?: unknown; id?: unknown } | null;
    return parsed?.specversion !== undefined && typeof parsed.id === 'string' && parsed.id !== '' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}
