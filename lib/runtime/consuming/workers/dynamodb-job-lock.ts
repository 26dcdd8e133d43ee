import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { fullJitterDelayMs } from '../../../retry/backoff.ts';
import { awsClientConfig } from '../../../aws/aws-client-config.ts';
import { ConditionFailedError, translateAwsError } from '../../../aws/aws-errors.ts';
import type { JobLock } from './job-lock.ts';
import { JobLockUnavailableError } from '../polling/polling-errors.ts';

export interface DynamoDbJobLockOptions {
  /** Table with the string partition key `jobKey` and TTL on `expiresAt`, as the `JobLockTable` construct makes it. */
  readonly tableName: string;
  /**
   * How long a lock outlives a worker that died holding it. Make it at least
   * the task timeout, or a job still running may lose its lock to another.
   * @default 900
   */
  readonly leaseSeconds?: number;
  /** @default a client for AWS_ENDPOINT_URL / AWS_REGION */
  readonly dynamodb?: DynamoDBClient;
  /** For tests of lease expiry. @default Date.now */
  readonly now?: () => number;
}

/**
 * A job lock shared by every worker, on a DynamoDB conditional write. The item
 * of a key names its owner (the SQS message id of the job) and a token per
 * acquisition. A key is taken when no item holds it, its lease has run out, or
 * its owner is the same message (a redelivery after a crash or a time-out);
 * only the acquisition that wrote the token may delete it, so an earlier
 * attempt finishing late never frees the lock of the redelivery. TTL removes
 * the items of crashed workers eventually; the lease check does not wait for
 * it (TTL deletion can take days).
 */
export class DynamoDbJobLock implements JobLock {
  private readonly dynamodb: DynamoDBClient;
  private readonly leaseSeconds: number;
  private readonly now: () => number;
  /**
   * The newest token of each key and owner this process holds, and how many of
   * its attempts hold it (a redelivery may reach the process still running the
   * earlier attempt): the key is freed when the last of them releases it.
   */
  private readonly held = new Map<string, { token: string; holds: number }>();

  constructor(private readonly options: DynamoDbJobLockOptions) {
    this.dynamodb = options.dynamodb ?? new DynamoDBClient(awsClientConfig());
    this.leaseSeconds = options.leaseSeconds ?? 900;
    this.now = options.now ?? Date.now;
  }

  async tryAcquire(key: string, owner: string): Promise<boolean> {
    const token = randomUUID();
    const nowSeconds = Math.floor(this.now() / 1000);
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: { jobKey: { S: key }, owner: { S: owner }, token: { S: token }, expiresAt: { N: String(nowSeconds + this.leaseSeconds) } },
          ConditionExpression: 'attribute_not_exists(jobKey) OR expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) }, ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      if (translateAwsError(error, { table: this.options.tableName }) instanceof ConditionFailedError) return false;
      throw new JobLockUnavailableError(key, this.options.tableName, error);
    }
    const current = this.held.get(tokenKey(key, owner));
    this.held.set(tokenKey(key, owner), { token, holds: (current?.holds ?? 0) + 1 });
    return true;
  }

  /**
   * Frees the key, trying again with backoff: a lock left held makes `skip`
   * delete every later message of its key, unrun, until the lease runs out.
   * After a few tries it throws, and goes on trying in the background, with the
   * same token, until the table answers or the lease would have run out anyway.
   */
  async release(key: string, owner: string): Promise<void> {
    const current = this.held.get(tokenKey(key, owner));
    if (current === undefined) return;
    if (--current.holds > 0) return;
    this.held.delete(tokenKey(key, owner));
    const { token } = current;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deleteHeld(key, token);
        return;
      } catch (error) {
        if (attempt >= RELEASE_TRIES) {
          void this.releaseInBackground(key, token, attempt);
          throw error;
        }
        await sleep(fullJitterDelayMs(attempt, 200, 2_000));
      }
    }
  }

  private async releaseInBackground(key: string, token: string, triesSoFar: number): Promise<void> {
    const giveUpAt = this.now() + this.leaseSeconds * 1000;
    for (let attempt = triesSoFar + 1; this.now() < giveUpAt; attempt++) {
      await sleep(fullJitterDelayMs(attempt, 200, 30_000));
      try {
        await this.deleteHeld(key, token);
        return;
      } catch {
        // The table is still out of reach: the next try, or the lease, frees the key.
      }
    }
  }

  /** Deletes the item of the key if this acquisition's token is still on it. */
  private async deleteHeld(key: string, token: string): Promise<void> {
    try {
      await this.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.options.tableName,
          Key: { jobKey: { S: key } },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': { S: token } },
        }),
      );
    } catch (error) {
      // Another attempt holds the key now (the lease ran out, or the message was redelivered): it is theirs to release.
      if (translateAwsError(error, { table: this.options.tableName }) instanceof ConditionFailedError) return;
      throw new JobLockUnavailableError(key, this.options.tableName, error);
    }
  }
}

/** Tries of a release before the job's message is settled; a blip of the table must not leave the key held. */
const RELEASE_TRIES = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tokenKey(key: string, owner: string): string {
  return JSON.stringify([key, owner]);
}
