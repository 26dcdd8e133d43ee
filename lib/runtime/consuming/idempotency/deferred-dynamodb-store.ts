import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbIdempotencyStore } from './dynamodb-idempotency-store.ts';
import type { ClaimOutcome, IdempotencyClaim, IdempotencyStore, RecordEffect, StoredResult } from './idempotency-store.ts';

/**
 * The DynamoDB idempotency store, loaded on the first message rather than at start: a Lambda handler's
 * module init stays as fast as one without idempotency (see `npm run bench`), as QueueActions does for SQS.
 */
export class DeferredDynamoDbStore implements IdempotencyStore {
  readonly description: string;
  private store: Promise<DynamoDbIdempotencyStore> | undefined;

  constructor(
    private readonly tableName: string,
    private readonly dynamodb?: DynamoDBClient,
  ) {
    this.description = `DynamoDB table ${tableName}`;
  }

  async claim(key: string, leaseSeconds: number): Promise<ClaimOutcome> {
    return (await this.loaded()).claim(key, leaseSeconds);
  }

  async complete(claim: IdempotencyClaim, result: StoredResult, lifetimeSeconds: number, effects?: readonly RecordEffect[]): Promise<boolean> {
    return (await this.loaded()).complete(claim, result, lifetimeSeconds, effects);
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    return (await this.loaded()).release(claim);
  }

  private loaded(): Promise<DynamoDbIdempotencyStore> {
    this.store ??= import('./dynamodb-idempotency-store.ts').then(
      ({ DynamoDbIdempotencyStore }) => new DynamoDbIdempotencyStore({ tableName: this.tableName, ...(this.dynamodb && { dynamodb: this.dynamodb }) }),
    );
    return this.store;
  }
}
