import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { SQSEvent } from 'aws-lambda';
import { asEvents, orderPlacedRecords } from './fixtures/sqs-records.ts';
import { BENCH_ROOT, bundleAsDeployed } from './lambda-bundle.ts';
import { median, spread, type Spread } from './spread.ts';

/** The contender whose ratio to each other one is taken. */
export const POSTBOX = 'Postbox pipeline';

/** Each contender is a Lambda handler module exporting `handler` and `handled` (what its handlers were given). */
export const PIPELINE_CONTENDERS: Readonly<Record<string, string>> = {
  'bare loop (JSON.parse + zod parse)': 'bench/fixtures/pipeline/bare-loop.ts',
  [POSTBOX]: 'bench/fixtures/pipeline/postbox-pipeline.ts',
  'Powertools BatchProcessor, zod in handler': 'bench/fixtures/pipeline/powertools-zod.ts',
  'Powertools BatchProcessor, parser innerSchema': 'bench/fixtures/pipeline/powertools-parser.ts',
};

/** Rounds every contender runs before any is timed: V8 takes about five rounds of 10,000 records to settle its optimized code. */
export const WARM_UP_ROUNDS = 5;

export interface PipelineBenchOptions {
  /** @default 10,000 */
  readonly recordCount?: number;
  /** Timed rounds. @default 15 */
  readonly rounds?: number;
  /** @default WARM_UP_ROUNDS */
  readonly warmUpRounds?: number;
  /**
   * The pause before each turn, in which the collector's background threads finish what the contender before left
   * (the parser contender's garbage above all), rather than on this one's time. @default 150
   */
  readonly settleMs?: number;
  /** Name to entry (relative to the repository), one of them POSTBOX. @default PIPELINE_CONTENDERS */
  readonly contenders?: Readonly<Record<string, string>>;
  /** Where the bundles are written. @default bench/.out/pipeline */
  readonly outDir?: string;
}

export interface PipelineFigures {
  /** Median records per second of each contender. */
  readonly recordsPerSecond: Record<string, number>;
  /** Postbox's records per second over each peer's, round by round: the median and the spread. */
  readonly ratios: Record<string, Spread>;
}

/**
 * Records per second of each contender over the same records, each as it is deployed: bundled as LambdaConsumer
 * bundles a function, and run in a worker thread of its own (an isolate, as one Lambda function has one pipeline),
 * so that one contender's type feedback does not slow another's share of the same code (zod's). Every round runs
 * each contender once, one at a time, in an order rotated from round to round, so that a busy spell of the machine
 * falls on all of them alike; the ratio to Postbox is taken within each round, then its median and spread over the
 * timed rounds, after the warm-up rounds.
 */
export async function benchPipeline(options: PipelineBenchOptions = {}): Promise<PipelineFigures> {
  const { recordCount = 10_000, rounds = 15, warmUpRounds = WARM_UP_ROUNDS, settleMs = 150, contenders = PIPELINE_CONTENDERS } = options;
  const outDir = options.outDir ?? path.join(BENCH_ROOT, 'bench', '.out', 'pipeline');
  const events = asEvents(orderPlacedRecords(recordCount), 10);
  mkdirSync(outDir, { recursive: true });
  const isolates = await Promise.all(
    Object.entries(contenders).map(async ([name, entry]) => {
      const bundle = path.join(outDir, `${path.basename(entry, '.ts')}.mjs`);
      await bundleAsDeployed(entry, bundle);
      return ContenderIsolate.start(name, bundle, events);
    }),
  );
  const samples = new Map<string, number[]>(isolates.map((isolate) => [isolate.name, []]));
  try {
    for (let round = 0; round < warmUpRounds + rounds; round++) {
      for (let turn = 0; turn < isolates.length; turn++) {
        const isolate = isolates[(round + turn) % isolates.length]!;
        await sleep(settleMs);
        const ms = await isolate.round();
        if (round >= warmUpRounds) samples.get(isolate.name)!.push(recordCount / (ms / 1000));
      }
    }
  } finally {
    await Promise.all(isolates.map((isolate) => isolate.stop()));
  }
  const ours = samples.get(POSTBOX)!;
  const ratios = Object.fromEntries(
    [...samples].filter(([name]) => name !== POSTBOX).map(([name, values]) => [name, spread(values.map((value, round) => ours[round]! / value))]),
  );
  return { recordsPerSecond: Object.fromEntries([...samples].map(([name, values]) => [name, median(values)])), ratios };
}

/** A contender's bundle in a worker thread that runs the events once per round. */
class ContenderIsolate {
  private constructor(
    readonly name: string,
    private readonly worker: Worker,
  ) {}

  static async start(name: string, bundle: string, events: SQSEvent[]): Promise<ContenderIsolate> {
    const worker = new Worker(new URL('./fixtures/pipeline/contender-worker.mjs', import.meta.url), { workerData: { bundle, events } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return new ContenderIsolate(name, worker);
  }

  /** Milliseconds the events took; throws when the contender failed a record or handled nothing. */
  async round(): Promise<number> {
    const { ms, failed, handled } = await new Promise<{ ms: number; failed: number; handled: number }>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
      this.worker.postMessage('round');
    });
    this.worker.removeAllListeners('error');
    if (failed > 0) throw new Error(`${this.name} failed ${failed} records it should not have`);
    if (!(handled > 0)) throw new Error(`${this.name} called no handler`);
    return ms;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
