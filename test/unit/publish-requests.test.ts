import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../lib/messages/envelope.ts';
import { chunk, snsEntry, sqsEntry, type Destination, type Prepared } from '../../lib/runtime/publishing/publish-requests.ts';
import type { SendOptions } from '../../lib/runtime/publishing/publisher.ts';

const standardTopic: Destination = { kind: 'topic', id: 'items', name: 'shop-dev-items', fifo: false, maxMessageBytes: 262_144, maxBatchBytes: 262_144 };
const fifoTopic: Destination = { ...standardTopic, name: 'shop-dev-items.fifo', fifo: true };
// A topic that deduplicates by content is, to the publisher, a FIFO topic like any other.
const contentDedupTopic: Destination = { ...fifoTopic, id: 'prices', name: 'shop-dev-prices.fifo' };
const queue: Destination = { kind: 'queue', id: 'stock', name: 'shop-dev-stock', fifo: false, maxMessageBytes: 262_144, maxBatchBytes: 1_000 };

let next = 0;
function prepared(destination: Destination, { sizeBytes = 10, id = `m-${++next}`, options = {} }: { sizeBytes?: number; id?: string; options?: SendOptions } = {}): Prepared {
  const envelope = createEnvelope({ type: 'item.added', kind: 'event', data: {}, source: 'test', id });
  return { index: next, envelope, encoded: { body: '{}', attributes: {}, sizeBytes }, destination, options };
}

describe('FIFO fields of a publish', () => {
  it('send the message id as group and deduplication id by default', () => {
    const message = prepared(fifoTopic, { id: 'm-a' });
    expect(snsEntry(message)).toMatchObject({ MessageGroupId: 'm-a', MessageDeduplicationId: 'm-a' });
  });

  it('send the message id as deduplication id to a topic that deduplicates by content too, so a publish of the same id again is dropped although its envelope time differs', () => {
    const first = snsEntry(prepared(contentDedupTopic, { id: 'm-b', options: { groupId: 'g-1' } }));
    const again = snsEntry(prepared(contentDedupTopic, { id: 'm-b', options: { groupId: 'g-1' } }));
    expect(first).toMatchObject({ MessageGroupId: 'g-1', MessageDeduplicationId: 'm-b' });
    expect(again.MessageDeduplicationId).toBe(first.MessageDeduplicationId);
    expect(snsEntry(prepared(contentDedupTopic, { options: { deduplicationId: 'd-1' } }))).toMatchObject({ MessageDeduplicationId: 'd-1' });
  });
});

describe('the tenant of a publish to a standard destination (SQS fair queues)', () => {
  it('send the given group id alone, with no deduplication id, to a standard topic and queue', () => {
    expect(snsEntry(prepared(standardTopic, { options: { groupId: 'tenant-1' } }))).toMatchObject({ MessageGroupId: 'tenant-1' });
    const entry = sqsEntry(prepared(queue, { options: { groupId: 'tenant-1' } }));
    expect(entry).toMatchObject({ MessageGroupId: 'tenant-1' });
    expect(entry).not.toHaveProperty('MessageDeduplicationId');
  });

  it('send no group id to a standard destination when none is given: the message id does not stand in for a tenant', () => {
    expect(snsEntry(prepared(standardTopic))).not.toHaveProperty('MessageGroupId');
    expect(sqsEntry(prepared(queue))).not.toHaveProperty('MessageGroupId');
  });
});

describe('chunk', () => {
  it('batches messages per destination, at most 10 a batch', () => {
    const messages = [...Array.from({ length: 12 }, () => prepared(standardTopic)), prepared(queue), prepared(standardTopic)];
    const batches = chunk(messages);
    expect(batches.map((batch) => batch.map((message) => message.destination.id))).toEqual([
      Array(10).fill('items'),
      ['items', 'items', 'items'],
      ['stock'],
    ]);
  });

  it("starts a new batch where the next message would pass the destination's batch size", () => {
    const batches = chunk([prepared(queue, { sizeBytes: 600 }), prepared(queue, { sizeBytes: 400 }), prepared(queue, { sizeBytes: 1 })]);
    expect(batches.map((batch) => batch.map((message) => message.encoded.sizeBytes))).toEqual([[600, 400], [1]]);
  });

  it('keeps the order of the messages within each batch, and makes no batch of nothing', () => {
    const messages = [prepared(queue), prepared(standardTopic), prepared(queue)];
    expect(chunk(messages)).toEqual([[messages[0], messages[2]], [messages[1]]]);
    expect(chunk([])).toEqual([]);
  });
});
