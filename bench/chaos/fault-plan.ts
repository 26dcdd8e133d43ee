/** What a handler does on one attempt of one message. */
export type Fault = 'none' | 'throw' | 'unrecoverable' | 'hang';

export interface FaultRates {
  /** Share of attempts that throw an ordinary (retryable) error. */
  readonly throw: number;
  /** Share of messages that always throw UnrecoverableError: they must end in the DLQ with that reason. */
  readonly unrecoverable: number;
  /** Share of attempts that hang past the time limit until their signal aborts them. */
  readonly hang: number;
}

/**
 * FNV-1a with murmur3's finalizer: a stable 32-bit hash, so the same seed
 * gives the same faults in every process. Without the finalizer, texts that
 * differ only in their last character (attempt 1, 2, 3 …) get nearly the same
 * high bits, and a message that throws once throws on every attempt.
 */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const unit = (text: string) => hash(text) / 2 ** 32;

/**
 * The fault of one attempt, decided by the seed, the queue, the message's key
 * and the attempt alone: a worker process killed and started again, or the
 * Lambda pipeline, makes the same decision for the same delivery.
 */
export function faultFor(seed: string, queue: string, key: string, attempt: number, rates: FaultRates): Fault {
  if (unit(`${seed}|${queue}|${key}`) < rates.unrecoverable) return 'unrecoverable';
  const roll = unit(`${seed}|${queue}|${key}|${attempt}`);
  if (roll < rates.hang) return 'hang';
  if (roll < rates.hang + rates.throw) return 'throw';
  return 'none';
}

/** A small seeded generator (mulberry32) for the run's own choices: timings, which worker to kill. */
export function seededRandom(seed: string): () => number {
  let state = hash(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
