import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { provisionJobLockTable } from '../../lib/local/store-provisioner.ts';
import { DynamoDbJobLock } from '../../lib/runtime/consuming/workers/dynamodb-job-lock.ts';
import { JobLockUnavailableError } from '../../lib/runtime/consuming/polling/polling-errors.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });

async function lockTable(): Promise<string> {
  const tableName = await provisionJobLockTable(resolveTopology(paymentsTopology, { stage: uniqueStage() }), dynamodb);
  return tableName!;
}

describe('DynamoDbJobLock', () => {
  it('lets one worker hold a key at a time, and the next take it once released', async () => {
    const tableName = await lockTable();
    const first = new DynamoDbJobLock({ tableName, dynamodb });
    const second = new DynamoDbJobLock({ tableName, dynamodb });
    expect(await first.tryAcquire('report#2026-11', 'm-1')).toBe(true);
    expect(await second.tryAcquire('report#2026-11', 'm-2')).toBe(false);
    expect(await second.tryAcquire('report#2026-12', 'm-3')).toBe(true);
    await first.release('report#2026-11', 'm-1');
    expect(await second.tryAcquire('report#2026-11', 'm-2')).toBe(true);
  });

  it('hands over the key of a worker that died holding it once its lease has run out', async () => {
    const tableName = await lockTable();
    let now = Date.UTC(2026, 10, 22, 12);
    const dead = new DynamoDbJobLock({ tableName, dynamodb, leaseSeconds: 60, now: () => now });
    const alive = new DynamoDbJobLock({ tableName, dynamodb, leaseSeconds: 60, now: () => now });
    expect(await dead.tryAcquire('job', 'm-1')).toBe(true);
    now += 59_000;
    expect(await alive.tryAcquire('job', 'm-2')).toBe(false);
    now += 2_000;
    expect(await alive.tryAcquire('job', 'm-2')).toBe(true);
  });

  it('never releases a key another worker took over after its lease ran out', async () => {
    const tableName = await lockTable();
    let now = Date.UTC(2026, 10, 22, 12);
    const late = new DynamoDbJobLock({ tableName, dynamodb, leaseSeconds: 60, now: () => now });
    const next = new DynamoDbJobLock({ tableName, dynamodb, leaseSeconds: 60, now: () => now });
    await late.tryAcquire('job', 'm-1');
    now += 61_000;
    await next.tryAcquire('job', 'm-2');
    await late.release('job', 'm-1');
    const item = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { jobKey: { S: 'job' } } }));
    expect(item.Item).toBeDefined();
    expect(await late.tryAcquire('job', 'm-3')).toBe(false);
  });

  it('lets the same message take back its own lock, as the redelivery after a crash does, and no other message', async () => {
    const tableName = await lockTable();
    const crashed = new DynamoDbJobLock({ tableName, dynamodb });
    const next = new DynamoDbJobLock({ tableName, dynamodb });
    expect(await crashed.tryAcquire('job', 'message-1')).toBe(true);
    expect(await next.tryAcquire('job', 'message-2')).toBe(false);
    expect(await next.tryAcquire('job', 'message-1')).toBe(true);
    expect(await crashed.tryAcquire('job', 'message-2')).toBe(false);
  });

  it('keeps the lock of a redelivery when the earlier attempt of the same message releases late', async () => {
    const tableName = await lockTable();
    const timedOut = new DynamoDbJobLock({ tableName, dynamodb });
    const redelivery = new DynamoDbJobLock({ tableName, dynamodb });
    await timedOut.tryAcquire('job', 'message-1');
    await redelivery.tryAcquire('job', 'message-1');
    await timedOut.release('job', 'message-1');
    expect(await timedOut.tryAcquire('job', 'message-2')).toBe(false);
    await redelivery.release('job', 'message-1');
    expect(await timedOut.tryAcquire('job', 'message-2')).toBe(true);
  });

  it('keeps the key held while a redelivery in the same process still runs, when the earlier attempt finishes first', async () => {
    const tableName = await lockTable();
    const lock = new DynamoDbJobLock({ tableName, dynamodb });
    const other = new DynamoDbJobLock({ tableName, dynamodb });
    await lock.tryAcquire('job', 'message-1');
    await lock.tryAcquire('job', 'message-1');
    await lock.release('job', 'message-1');
    expect(await other.tryAcquire('job', 'message-2')).toBe(false);
    await lock.release('job', 'message-1');
    expect(await other.tryAcquire('job', 'message-2')).toBe(true);
  });

  it('says which table it could not use, as a retryable error', async () => {
    const lock = new DynamoDbJobLock({ tableName: 'pay-nowhere-job-locks', dynamodb });
    const error = await lock.tryAcquire('job', 'm-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobLockUnavailableError);
    expect((error as JobLockUnavailableError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/^Could not take the lock of job 'job' in table pay-nowhere-job-locks \(ResourceNotFoundException: .*\); the message is retried/);
  });
});
