import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { QueueDirectory } from '../operations/queue-directory.ts';
import { queueStatuses } from '../operations/queue-status.ts';
import { addProcessHooks, type SettledMessage } from '../runtime/consuming/message-hooks.ts';
import type { ConsumerHealth } from '../runtime/consuming/polling/consumer-health.ts';
import { SeriesStore, type SeriesSnapshot } from './series-store.ts';
import { emulatorOldestAges } from './emulator-oldest-ages.ts';

/** The console charts the last ten minutes at the live view's pace. */
export const SERIES_WINDOW_MS = 10 * 60_000;
export const SERIES_STEP_MS = 2_000;

export interface SystemSamplerOptions {
  readonly directory: QueueDirectory;
  readonly cloudwatch: CloudWatchClient;
  /** Where the queues are: the embedded emulator tells the oldest message's age, which CloudWatch tells on AWS. */
  readonly endpoint: string;
  /** The running worker consumers, each reporting its queue and tasks in flight. */
  readonly workers: () => readonly { health(): ConsumerHealth }[];
  /** @default SERIES_STEP_MS */
  readonly stepMs?: number;
  /** @default SERIES_WINDOW_MS */
  readonly windowMs?: number;
}

/** What one queue's consumers settled since the last sample. */
interface Tally {
  handled: number;
  failed: number;
  /** Reset every sample, so it holds one step's handlings at most. */
  durations: number[];
}

/**
 * Samples the local system every step into a bounded SeriesStore: per queue what its consumers handled and failed
 * (from their own outcomes, through a process hook), its depths and DLQ depth (the status the CLI shows), and the
 * oldest message's age; per worker its tasks in flight; per Lambda handler its durations' p50 and p99.
 */
export class SystemSampler {
  readonly store: SeriesStore;
  private readonly queueIdsByName: ReadonlyMap<string, string>;
  private readonly lambdaQueues: ReadonlySet<string>;
  private tallies = new Map<string, Tally>();
  private lastAt = Date.now();
  private handledPerSecond: Record<string, number> = {};
  private readonly removeHooks: () => void;
  private readonly timer: NodeJS.Timeout;
  private sampling = false;

  constructor(private readonly options: SystemSamplerOptions) {
    const { queues } = options.directory.topology;
    this.queueIdsByName = new Map(queues.map((queue) => [queue.name, queue.id]));
    this.lambdaQueues = new Set(queues.filter((queue) => queue.handler.kind === 'lambda').map((queue) => queue.id));
    this.store = new SeriesStore(options.windowMs ?? SERIES_WINDOW_MS, options.stepMs ?? SERIES_STEP_MS);
    this.removeHooks = addProcessHooks({ after: this.tally });
    // A sample that takes longer than a step (a slow endpoint) makes the next one wait rather than pile up.
    this.timer = setInterval(() => {
      if (this.sampling) return;
      this.sampling = true;
      void this.sample().finally(() => (this.sampling = false));
    }, this.store.stepMs);
  }

  /** Messages handled per second per queue, over the last step. */
  rates(): Record<string, number> {
    return { ...this.handledPerSecond };
  }

  snapshot(): SeriesSnapshot {
    return this.store.snapshot();
  }

  stop(): void {
    clearInterval(this.timer);
    this.removeHooks();
  }

  /** Runs inside the consumers, once per settled message: a count and a number kept, nothing more. */
  private readonly tally = ({ queue, outcome }: SettledMessage): void => {
    const id = this.queueIdsByName.get(queue.name);
    if (id === undefined) return;
    let tally = this.tallies.get(id);
    if (!tally) this.tallies.set(id, (tally = { handled: 0, failed: 0, durations: [] }));
    if (outcome.status === 'processed') tally.handled++;
    else tally.failed++;
    if (this.lambdaQueues.has(id)) tally.durations.push(outcome.durationMs);
  };

  /** One sample of every chart. */
  private async sample(): Promise<void> {
    const { directory, cloudwatch, endpoint } = this.options;
    let statuses: Awaited<ReturnType<typeof queueStatuses>>;
    try {
      statuses = await queueStatuses(directory, cloudwatch);
    } catch {
      // The endpoint stopped answering (the system is stopping): the charts show a gap where it did.
      return;
    }
    const at = Date.now();
    const seconds = Math.max(at - this.lastAt, 1) / 1000;
    const tallies = this.tallies;
    this.tallies = new Map();
    this.lastAt = at;
    const unknownAges = statuses.filter((status) => status.oldestAgeSeconds === null && status.visible + status.inFlight > 0).map((status) => status.name);
    const emulatorAges = unknownAges.length > 0 ? await emulatorOldestAges(endpoint, unknownAges, at) : new Map<string, number>();
    const sample: Record<string, Record<string, number | null>> = {};
    for (const status of statuses) {
      const tally = tallies.get(status.queue);
      const empty = status.visible + status.inFlight === 0;
      sample[`queue:${status.queue}`] = {
        handledPerSecond: (tally?.handled ?? 0) / seconds,
        failedPerSecond: (tally?.failed ?? 0) / seconds,
        waiting: status.visible,
        inFlight: status.inFlight,
        oldestAgeSeconds: status.oldestAgeSeconds ?? (empty ? 0 : (emulatorAges.get(status.name) ?? null)),
        deadLetters: status.deadLetters,
      };
      if (this.lambdaQueues.has(status.queue)) {
        const sorted = (tally?.durations ?? []).sort((a, b) => a - b);
        sample[`lambda:${status.queue}`] = { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
      }
    }
    for (const worker of this.options.workers()) {
      const { queue, inFlight } = worker.health();
      sample[`worker:${queue}`] = { inFlight };
    }
    this.handledPerSecond = Object.fromEntries(statuses.map((status) => [status.queue, sample[`queue:${status.queue}`]!.handledPerSecond!]));
    this.store.push(at, sample);
  }
}

/** The nearest-rank percentile of ascending values; null when there are none (no handling in that step). */
export function percentile(ascending: readonly number[], fraction: number): number | null {
  if (ascending.length === 0) return null;
  return ascending[Math.min(ascending.length - 1, Math.ceil(fraction * ascending.length) - 1)]!;
}
