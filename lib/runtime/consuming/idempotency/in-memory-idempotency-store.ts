import { randomUUID } from 'node:crypto';
import type { ClaimOutcome, IdempotencyClaim, IdempotencyStore, RecordEffect, StoredResult } from './idempotency-store.ts';
import { IdempotencyEffectsUnsupportedError } from './idempotency-errors.ts';

interface MemoryRecord {
  token: string;
  status: 'in-progress' | 'completed';
  /** Epoch ms: the lease of an attempt in progress, the lifetime of a completed record. */
  until: number;
  result: StoredResult;
}

/**
 * Idempotency records in this process's memory: once per message within one process only, and forgotten on
 * exit. For `postbox dev` at an emulator without DynamoDB, and tests; deployed consumers use DynamoDB.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly description = 'the in-memory idempotency store of this process';
  private readonly records = new Map<string, MemoryRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, leaseSeconds: number): Promise<ClaimOutcome> {
    const record = this.records.get(key);
    const now = this.now();
    if (record && record.until >= now) {
      return record.status === 'completed' ? { status: 'completed', result: record.result } : { status: 'in-progress', leaseUntil: record.until };
    }
    const token = randomUUID();
    this.records.set(key, { token, status: 'in-progress', until: now + leaseSeconds * 1000, result: undefined });
    return { status: 'claimed', claim: { key, token } };
  }

  async complete(claim: IdempotencyClaim, result: StoredResult, lifetimeSeconds: number, effects: readonly RecordEffect[] = []): Promise<boolean> {
    if (effects.length > 0) throw new IdempotencyEffectsUnsupportedError(claim.key, this.description);
    const record = this.records.get(claim.key);
    if (record?.token !== claim.token) return false;
    this.records.set(claim.key, { token: claim.token, status: 'completed', until: this.now() + lifetimeSeconds * 1000, result });
    return true;
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    const record = this.records.get(claim.key);
    if (record?.token === claim.token && record.status === 'in-progress') this.records.delete(claim.key);
  }
}
