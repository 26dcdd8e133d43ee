import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';

/**
 * Where the idempotency records of handled messages live. DynamoDB is the one shipped
 * (`DynamoDbIdempotencyStore`); `InMemoryIdempotencyStore` serves a single process (`postbox dev` without
 * DynamoDB, tests). Another store must keep the same promises: `claim` is atomic (one attempt wins a key),
 * and `complete` and `release` act only for the attempt that holds the claim.
 */
export interface IdempotencyStore {
  /** What the store is, for error messages: `DynamoDB table orders-dev-idempotency`. */
  readonly description: string;
  /**
   * Claims `key` for an attempt for `leaseSeconds`. Succeeds when no record holds the key, its record has
   * expired, or its attempt's lease ran out (that attempt crashed or timed out).
   */
  claim(key: string, leaseSeconds: number): Promise<ClaimOutcome>;
  /**
   * Marks the claimed key handled, with the handler's result, for `lifetimeSeconds`, and writes `effects` (the
   * handler's `writeWithRecord`) in the same transaction: all or nothing. False when the claim was lost
   * meanwhile (its lease ran out and another attempt took the key); nothing is written then.
   */
  complete(claim: IdempotencyClaim, result: StoredResult, lifetimeSeconds: number, effects?: readonly RecordEffect[]): Promise<boolean>;
  /**
   * Frees the claimed key after a failed attempt, so its retry may run. A claim already lost, or completed
   * (a completion whose answer was lost), is left alone.
   */
  release(claim: IdempotencyClaim): Promise<void>;
}

/**
 * A write the handler asks to commit with its message's record: for `DynamoDbIdempotencyStore`, a DynamoDB
 * `TransactWriteItem` (`Put`, `Update`, `Delete` or `ConditionCheck`) on a table in the same account and region.
 */
export type RecordEffect = TransactWriteItem;

/** An attempt's hold on a key: only the holder of its token may complete or release it. */
export interface IdempotencyClaim {
  readonly key: string;
  readonly token: string;
}

/** The handler's return value as stored: JSON text, or undefined when it returned nothing. */
export type StoredResult = string | undefined;

export type ClaimOutcome =
  | { readonly status: 'claimed'; readonly claim: IdempotencyClaim }
  /** Handled before: the second delivery is acknowledged without calling the handler. */
  | { readonly status: 'completed'; readonly result: StoredResult }
  /** Another attempt holds the key until `leaseUntil` (epoch ms): this one is retried later. */
  | { readonly status: 'in-progress'; readonly leaseUntil: number };
