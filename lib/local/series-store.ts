/** One sample of every chart: by chart (`queue:billing`, `worker:invoice-generate`), its figures by name; null where unknown. */
export type Sample = Readonly<Record<string, Readonly<Record<string, number | null>>>>;

/** What the console's page fetches: the sample times and, per chart, each figure's values at those times. */
export interface SeriesSnapshot {
  readonly stepMs: number;
  readonly windowMs: number;
  /** Epoch ms, oldest first. */
  readonly times: readonly number[];
  readonly charts: Readonly<Record<string, Readonly<Record<string, readonly (number | null)[]>>>>;
}

/**
 * The local system's figures over the last few minutes, in memory bounded by the window: a ring of at most
 * windowMs / stepMs samples, the oldest overwritten. `postbox dev` runs for hours; the page only charts the window.
 */
export class SeriesStore {
  private readonly capacity: number;
  private readonly times: number[] = [];
  private readonly samples: Sample[] = [];
  /** Where the next sample goes once the ring is full. */
  private next = 0;

  constructor(
    readonly windowMs: number,
    readonly stepMs: number,
  ) {
    if (!(stepMs > 0) || !(windowMs >= stepMs)) throw new RangeError(`SeriesStore: the window (${windowMs} ms) must hold at least one step (${stepMs} ms)`);
    this.capacity = Math.floor(windowMs / stepMs);
  }

  get size(): number {
    return this.times.length;
  }

  push(at: number, sample: Sample): void {
    if (this.times.length < this.capacity) {
      this.times.push(at);
      this.samples.push(sample);
      return;
    }
    this.times[this.next] = at;
    this.samples[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Every figure any sample of the window has, aligned on the times; null where a sample lacks it (a chart that came later). */
  snapshot(): SeriesSnapshot {
    const order = [...this.times.keys()].map((index) => (index + this.next) % this.times.length);
    const times = order.map((index) => this.times[index]!);
    const charts: Record<string, Record<string, (number | null)[]>> = {};
    order.forEach((index, position) => {
      for (const [chart, figures] of Object.entries(this.samples[index]!)) {
        const series = (charts[chart] ??= {});
        for (const [name, value] of Object.entries(figures)) {
          (series[name] ??= new Array<number | null>(times.length).fill(null))[position] = value;
        }
      }
    });
    return { stepMs: this.stepMs, windowMs: this.windowMs, times, charts };
  }
}
