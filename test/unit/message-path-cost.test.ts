import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { consumerSqsRequestsPerMessage, idlePollingCost, messagePathCosts, unpricedIdleCosts, WORKER_SQS_REQUESTS_PER_MESSAGE } from '../../lib/cost/message-path-cost.ts';
import type { ResolvedTopology } from '../../lib/topology/resolved-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';

const orders = resolveTopology(ordersTopology, { stage: 'dev' });

describe('the cost of a path of messages', () => {
  it('counts the requests one message makes, as the runtime makes them, and prices a million', () => {
    const paths = messagePathCosts(orders, { lambdaBatchMilliseconds: 100 });
    expect(paths.map((path) => [path.path, path.perMessage, path.perMillion])).toEqual([
      // Published once; SNS's delivery is an SQS request; a batch of 10 is one receive, one delete, one invocation of
      // 256 MB for 100 ms; an idempotent queue writes its claim and its result.
      ['order.placed → notifications (lambda)', { snsPublishes: 1, sqsRequests: 1.2, lambdaInvocations: 0.1, dynamodbWrites: 2 }, 2.28],
      ['order.cancelled → notifications (lambda)', { snsPublishes: 1, sqsRequests: 1.2, lambdaInvocations: 0.1, dynamodbWrites: 2 }, 2.28],
      // A worker of concurrency 4 receives and deletes at most 4 at a time.
      ['order.cancelled → analytics (worker)', { snsPublishes: 1, sqsRequests: 1.5, lambdaInvocations: 0, dynamodbWrites: 0 }, 1.1],
      // A command is sent straight to its queue.
      ['invoice.generate → invoice-generate (lambda)', { snsPublishes: 0, sqsRequests: 1.2, lambdaInvocations: 0.1, dynamodbWrites: 0 }, 0.53],
    ]);
  });

  it("prices a FIFO queue's requests at FIFO's price", () => {
    const queue = { id: 'ledger', role: 'command', fifo: true, messageTypes: ['entry.post'], handler: { kind: 'worker', concurrency: 10, timeoutSeconds: 60 } };
    const [path] = messagePathCosts({ queues: [queue] } as unknown as ResolvedTopology, { lambdaBatchMilliseconds: 100 });
    expect(path).toEqual({ path: 'entry.post → ledger (worker)', perMessage: { snsPublishes: 0, sqsRequests: 1.31, lambdaInvocations: 0, dynamodbWrites: 0 }, perMillion: 0.66 });
  });

  it("counts a worker's requests as the bench measured them, and a small worker's by its smaller batches", () => {
    const worker = (concurrency: number) => ({ kind: 'worker', concurrency, timeoutSeconds: 60 }) as never;
    expect(consumerSqsRequestsPerMessage(worker(10))).toBe(WORKER_SQS_REQUESTS_PER_MESSAGE);
    expect(consumerSqsRequestsPerMessage(worker(50))).toBe(WORKER_SQS_REQUESTS_PER_MESSAGE);
    expect(consumerSqsRequestsPerMessage(worker(2))).toBe(1);
    expect(consumerSqsRequestsPerMessage({ kind: 'lambda', batchSize: 10 } as never)).toBe(0.2);
  });

  it('says what provisioned event pollers keep ready around the clock, unpriced and apart from the total', () => {
    expect(unpricedIdleCosts(orders)).toEqual([]);
    const notifications = ordersTopology.subscribers!.notifications;
    const provisioned = resolveTopology(
      { ...ordersTopology, subscribers: { ...ordersTopology.subscribers, notifications: { ...notifications, handler: { ...notifications.handler, maxConcurrency: undefined, provisionedPollers: { minimum: 3 } } } } } as typeof ordersTopology,
      { stage: 'dev' },
    );
    expect(unpricedIdleCosts(provisioned)).toEqual([
      { item: 'provisioned event poller-hours (notifications 3 kept ready)', count: 3 * 730, note: expect.stringContaining('not in the total') },
    ]);
  });

  it("counts an idle stage's open long polls: Lambda's pollers on each Lambda queue, and each worker task's", () => {
    expect(idlePollingCost(orders, 1)).toMatchObject({ count: 2 * 5 + 1, monthly: 0.58 });
    expect(idlePollingCost(orders, 0)).toMatchObject({ count: 10 });
  });
});
