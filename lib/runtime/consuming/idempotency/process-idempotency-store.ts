import type { IdempotencyStore } from './idempotency-store.ts';

let processStore: IdempotencyStore | undefined;

/**
 * Sets the idempotency store of every consumer this process makes from now on that is given none: what
 * `postbox dev` and `postbox/testing` do at an emulator without DynamoDB, where the Lambda handler modules
 * they load make their own consumers. Undefined restores the default (DynamoDB).
 */
export function setProcessIdempotencyStore(store: IdempotencyStore | undefined): void {
  processStore = store;
}

/** The store set by {@link setProcessIdempotencyStore}, if any. */
export function processIdempotencyStore(): IdempotencyStore | undefined {
  return processStore;
}
