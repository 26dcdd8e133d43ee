import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VisibilityLostError } from '../../lib/runtime/consuming/polling/polling-errors.ts';
import { VisibilityHeartbeat } from '../../lib/runtime/consuming/polling/visibility-heartbeat.ts';

const HOUR = 3_600_000;

/** Actions whose ChangeMessageVisibility records what it is asked, failing while `failing` holds. */
function recordingActions() {
  const calls: Array<{ receiptHandle: string; seconds: number }> = [];
  const state = { failing: false };
  const actions = {
    changeVisibility: async (receiptHandle: string, seconds: number) => {
      calls.push({ receiptHandle, seconds });
      if (state.failing) throw new Error('throttled');
    },
  };
  return { actions, calls, state };
}

describe('VisibilityHeartbeat', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2024, 0, 1) }));
  afterEach(() => vi.useRealTimers());

  it('extends every third of the visibility timeout, with the newest receipt handle', async () => {
    const { actions, calls } = recordingActions();
    const heartbeat = new VisibilityHeartbeat(actions, { messageId: 'm', receiptHandle: 'r1', receivedAt: Date.now(), visibilityTimeoutSeconds: 30, onLost: () => undefined });
    await vi.advanceTimersByTimeAsync(10_000);
    heartbeat.adopt('r2');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual([
      { receiptHandle: 'r1', seconds: 30 },
      { receiptHandle: 'r2', seconds: 30 },
    ]);
    await heartbeat.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
  });

  it('retries a failed extension, and gives up when no try is left before the visibility expires', async () => {
    const { actions, calls, state } = recordingActions();
    state.failing = true;
    const lost: VisibilityLostError[] = [];
    new VisibilityHeartbeat(actions, { messageId: 'm', receiptHandle: 'r', receivedAt: Date.now(), visibilityTimeoutSeconds: 30, onLost: (error) => lost.push(error) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lost).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(2);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.code).toBe('VISIBILITY_LOST');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
  });

  it('never asks for visibility past 12 hours from the receipt, and gives up when they are spent', async () => {
    const { actions, calls } = recordingActions();
    const lost: VisibilityLostError[] = [];
    const receivedAt = Date.now() - 12 * HOUR + 40_000;
    new VisibilityHeartbeat(actions, { messageId: 'm', receiptHandle: 'r', receivedAt, visibilityTimeoutSeconds: 30, onLost: (error) => lost.push(error) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.at(-1)!.seconds).toBe(30);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.at(-1)!.seconds).toBe(20);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.message).toMatch(/12 hours SQS allows from its receipt/);
  });
});
