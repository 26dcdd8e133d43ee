import { describe, expect, it } from 'vitest';
import { itemOf, recordOf } from '../../lib/runtime/publishing/outbox/outbox-item.ts';
import { deadLettered, outboxRecordOf, sendableOf, type OutboxRecord } from '../../lib/runtime/publishing/outbox/outbox-record.ts';
import { snsEntry, type Prepared } from '../../lib/runtime/publishing/publish-requests.ts';

const prepared = {
  index: 3,
  envelope: { id: 'm-1', type: 'ledger.entry' },
  encoded: { body: '{"id":"m-1"}', attributes: { type: 'ledger.entry', specversion: '1.0' }, sizeBytes: 60 },
  destination: { kind: 'topic', id: 'ledger', name: 'pay-dev-ledger.fifo', fifo: true, maxMessageBytes: 262_144, maxBatchBytes: 262_144 },
  options: { groupId: 'account-7' },
} as unknown as Prepared;
const writtenAt = new Date('2026-12-04T21:00:00.000Z');

describe('outbox records', () => {
  it('keep the serialized send, and give the sender back the same entry', () => {
    const record = outboxRecordOf(prepared, 'account-7', writtenAt, 3);
    expect(record).toMatchObject({ id: 'm-1', aggregateKey: 'account-7', position: '2026-12-04T21:00:00.000Z#0003#m-1', status: 'pending', attempts: 0, groupId: 'account-7' });
    const sendable = sendableOf(record, 0);
    expect(sendable).toEqual({ index: 0, envelope: prepared.envelope, encoded: prepared.encoded, destination: prepared.destination, options: { groupId: 'account-7' } });
  });

  it("keep a standard topic's tenant (groupId), which the relay and a replay send as its MessageGroupId", () => {
    const standard = { ...prepared, destination: { ...prepared.destination, id: 'payments', name: 'pay-dev-payments', fifo: false }, options: { groupId: 'tenant-a' } } as Prepared;
    const entry = snsEntry(sendableOf(outboxRecordOf(standard, undefined, writtenAt, 0), 0));
    expect(entry).toMatchObject({ MessageGroupId: 'tenant-a' });
    expect(entry).not.toHaveProperty('MessageDeduplicationId');
  });

  it('order the writes of one key by time, then by index within a write', () => {
    const positions = [outboxRecordOf(prepared, 'k', writtenAt, 10), outboxRecordOf(prepared, 'k', writtenAt, 2), outboxRecordOf(prepared, 'k', new Date(writtenAt.getTime() + 1), 0)].map(
      (record) => record.position,
    );
    expect([...positions].sort()).toEqual([positions[1], positions[0], positions[2]]);
  });

  it('are keyed by their own id when no aggregate key is given', () => {
    expect(outboxRecordOf(prepared, undefined, writtenAt, 0).aggregateKey).toBe('m-1');
  });

  it('round-trip through a DynamoDB item, dead-lettered with reason and attempts', () => {
    const kept: OutboxRecord = deadLettered(outboxRecordOf(prepared, 'account-7', writtenAt, 3), 'topic gone', 2, writtenAt);
    const item = itemOf(kept, 1_800_000_000);
    expect(item).toMatchObject({ status: { S: 'dead-lettered' }, reason: { S: 'topic gone' }, attempts: { N: '2' }, expiresAt: { N: '1800000000' } });
    expect(recordOf(item)).toEqual(kept);
  });

  it('read no record from an item that is not one', () => {
    expect(recordOf({ aggregateKey: { S: 'k' } })).toBeUndefined();
    expect(recordOf({ ...itemOf(outboxRecordOf(prepared, 'k', writtenAt, 0)), send: { S: '{not json' } })).toBeUndefined();
    expect(recordOf({ ...itemOf(outboxRecordOf(prepared, 'k', writtenAt, 0)), status: { S: 'sent' } })).toBeUndefined();
  });
});
