import { describe, expect, it } from 'vitest';
import { KeyOrder } from '../../lib/runtime/publishing/outbox/key-order.ts';

type Rec = { id: string; key: string };
const records = (spec: string): Rec[] => spec.split(' ').map((id) => ({ id, key: id[0]! }));
const ids = (list: Rec[]) => list.map((record) => record.id);

describe('KeyOrder', () => {
  it('hands out one record per key per round, each key in the order given', () => {
    const order = new KeyOrder(records('a1 b1 a2 c1 a3 b2'), (record) => record.key);
    expect(ids(order.next())).toEqual(['a1', 'b1', 'c1']);
    expect(ids(order.next())).toEqual(['a2', 'b2']);
    expect(ids(order.next())).toEqual(['a3']);
    expect(order.next()).toEqual([]);
    expect(order.unsettled()).toEqual([]);
  });

  it('after a failed record, hands out no later record of its key, and leaves them unsettled with it, in order', () => {
    const given = records('a1 b1 a2 b2 a3 b3');
    const order = new KeyOrder(given, (record) => record.key);
    const [a1] = order.next();
    order.next();
    order.fail(given[2]!); // a2
    expect(ids(order.next())).toEqual(['b3']);
    expect(order.next()).toEqual([]);
    expect(ids(order.unsettled())).toEqual(['a2', 'a3']);
    expect(a1!.id).toBe('a1');
  });

  it('leaves everything not handed out unsettled when the relay stops early', () => {
    const order = new KeyOrder(records('a1 a2 b1'), (record) => record.key);
    order.next();
    expect(ids(order.unsettled())).toEqual(['a2']);
  });
});
