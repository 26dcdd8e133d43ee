import type { LocalEventSource, PollResult } from '../../lib/local/local-event-source.ts';

/** Polls until `done` holds or the time runs out; returns every poll's result. */
export async function pollUntil(source: LocalEventSource, done: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<PollResult[]> {
  const results: PollResult[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms after ${results.length} polls`);
    results.push(await source.pollOnce());
  }
  return results;
}
