import { describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { CircuitBreaker } from '../../lib/runtime/consuming/http-delivery/circuit-breaker.ts';
import { cutBody, outcomeOfStatus, retryAfterSeconds } from '../../lib/runtime/consuming/http-delivery/http-delivery-outcome.ts';
import { verifySignature } from '../../lib/runtime/consuming/http-delivery/http-endpoint-handler.ts';

const secret = `whsec_${Buffer.from('a secret of thirty-two bytes ok!').toString('base64')}`;

describe("what an endpoint's answer means for the message", () => {
  it('2xx handled; 408, 429 and 5xx retried; any other 4xx refused for good', () => {
    expect([200, 202, 204].map(outcomeOfStatus)).toEqual(['delivered', 'delivered', 'delivered']);
    expect([408, 429, 500, 503].map(outcomeOfStatus)).toEqual(['retry', 'retry', 'retry', 'retry']);
    expect([400, 401, 404, 409, 422].map(outcomeOfStatus)).toEqual(['reject', 'reject', 'reject', 'reject', 'reject']);
    expect(outcomeOfStatus(302)).toBe('reject');
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores one it cannot read', () => {
    const now = Date.parse('2026-12-05T12:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Sat, 05 Dec 2026 12:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds('Sat, 05 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it('quotes the start of an answer on one line', () => {
    expect(cutBody('{"error":\n  "amount must be positive"}')).toBe('{"error": "amount must be positive"}');
    expect(cutBody('x'.repeat(600))).toHaveLength(501);
  });
});

describe('the circuit breaker of an endpoint', () => {
  it('opens after failures in a row, holds deliveries, lets one probe through after its open time, and closes on its success', async () => {
    vi.useFakeTimers();
    try {
      const breaker = new CircuitBreaker({ failuresToOpen: 2, openSeconds: 10 });
      await breaker.admit();
      breaker.failed();
      expect(breaker.state).toBe('closed');
      breaker.failed();
      expect(breaker.state).toBe('open');
      const admitted: string[] = [];
      const probe = breaker.admit().then(() => admitted.push('probe'));
      const held = breaker.admit().then(() => admitted.push('held'));
      await vi.advanceTimersByTimeAsync(9_000);
      expect(admitted).toEqual([]);
      await vi.advanceTimersByTimeAsync(1_100);
      expect(admitted).toEqual(['probe']);
      expect(breaker.state).toBe('half-open');
      breaker.succeeded();
      await probe;
      await held;
      expect(admitted).toEqual(['probe', 'held']);
      expect(breaker.state).toBe('closed');
    } finally {
      vi.useRealTimers();
    }
  });

  it('opens again when the probe fails, and lets the next one try when a probe is abandoned', async () => {
    vi.useFakeTimers();
    try {
      const breaker = new CircuitBreaker({ failuresToOpen: 1, openSeconds: 5 });
      breaker.failed();
      await vi.advanceTimersByTimeAsync(5_000);
      await breaker.admit();
      breaker.failed();
      expect(breaker.state).toBe('open');
      await vi.advanceTimersByTimeAsync(5_000);
      await breaker.admit();
      breaker.abandoned();
      let next = false;
      void breaker.admit().then(() => (next = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(next).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops waiting when the task is given up', async () => {
    const breaker = new CircuitBreaker({ failuresToOpen: 1, openSeconds: 60 });
    breaker.failed();
    const controller = new AbortController();
    const waiting = breaker.admit(controller.signal);
    controller.abort(new Error('task time limit'));
    await expect(waiting).rejects.toThrow('task time limit');
  });
});

describe('verifySignature, for the receiving endpoint', () => {
  const envelope = { specversion: '1.0', id: 'm-1', type: 'payment.received', data: { paymentId: 'p-1' } };
  const body = JSON.stringify(envelope);
  const signed = (at: Date, signingSecret = secret) => ({
    'webhook-id': 'm-1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(signingSecret).sign('m-1', at, body),
  });

  it('returns the envelope of a request signed with the secret, whatever the case of its header names', async () => {
    const headers = Object.fromEntries(Object.entries(signed(new Date())).map(([name, value]) => [name.toUpperCase(), value]));
    expect(await verifySignature({ headers, body }, secret)).toEqual(envelope);
    expect(await verifySignature({ headers: new Headers(signed(new Date())), body }, secret)).toEqual(envelope);
  });

  it('refuses a bad signature, a body changed after signing, and a stale timestamp', async () => {
    const other = `whsec_${Buffer.from('another secret, thirty-two bytes').toString('base64')}`;
    await expect(verifySignature({ headers: signed(new Date(), other), body }, secret)).rejects.toThrow();
    await expect(verifySignature({ headers: signed(new Date()), body: body.replace('p-1', 'p-2') }, secret)).rejects.toThrow();
    await expect(verifySignature({ headers: signed(new Date(Date.now() - 10 * 60_000)), body }, secret)).rejects.toThrow(/timestamp/i);
  });
});
