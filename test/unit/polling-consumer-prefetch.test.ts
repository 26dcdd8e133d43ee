import { describe, expect, it } from 'vitest';
import { HandlerSlots } from '../../lib/runtime/consuming/polling/handler-slots.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { InvalidPrefetchError } from '../../lib/runtime/consuming/polling/polling-errors.ts';
import { runWorkers } from '../../lib/runtime/consuming/workers/run-workers.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const consumerWith = (prefetch: number) =>
  new PollingConsumer(paymentsTopology, { stage: 'unit', queue: 'archive', queueUrl: 'http://127.0.0.1:1/q', prefetch, handlers: { 'payment.received': () => undefined } });

describe('prefetch option', () => {
  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses prefetch %s with a typed error naming the queue', (prefetch) => {
    expect(() => consumerWith(prefetch)).toThrow(InvalidPrefetchError);
    expect(() => consumerWith(prefetch)).toThrow(/archive.*whole number of 0 or more/);
  });

  it('goes from a worker definition through runWorkers to its queue\'s consumer', async () => {
    const handlers = { 'payment.received': () => undefined };
    const queues = { archive: { handlers, prefetch: -1 }, 'receipt-archive': { handlers: { 'receipt.archive': () => undefined } } };
    const error = await runWorkers(paymentsTopology, { stage: 'unit', queues: queues as never }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidPrefetchError);
    expect((error as Error).message).toMatch(/archive/);
  });

  it('accepts 0 and whole numbers', () => {
    expect(() => consumerWith(0)).not.toThrow();
    expect(() => consumerWith(25)).not.toThrow();
  });
});

describe('HandlerSlots', () => {
  it('lets `size` tasks run and hands each freed slot to the task that waited longest', async () => {
    const slots = new HandlerSlots(1);
    const order: string[] = [];
    const signal = new AbortController().signal;
    expect(await slots.take(signal)).toBe(true);
    const second = slots.take(signal).then(() => order.push('second'));
    const third = slots.take(signal).then(() => order.push('third'));
    await Promise.resolve();
    expect(slots.waiting).toBe(2);
    slots.free();
    await second;
    expect(order).toEqual(['second']);
    slots.free();
    await third;
    expect(order).toEqual(['second', 'third']);
  });

  it('drops a waiting task that is let go, without giving it a slot', async () => {
    const slots = new HandlerSlots(1);
    await slots.take(new AbortController().signal);
    const letGo = new AbortController();
    const waiting = slots.take(letGo.signal);
    const next = slots.take(new AbortController().signal);
    letGo.abort();
    expect(await waiting).toBe(false);
    expect(slots.waiting).toBe(1);
    slots.free();
    expect(await next).toBe(true);
  });
});
