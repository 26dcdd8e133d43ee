import { describe, expect, it } from 'vitest';
import { HandlerConfigurationError } from '../../lib/runtime/consuming/handler-configuration-error.ts';
import { QueueRuntime } from '../../lib/runtime/consuming/queue-runtime.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const handlers = { 'payment.received': () => undefined, 'payment.refunded': () => undefined };

describe('a consumer given the topology resolved at the edge', () => {
  it('takes its queue, stage and names from it instead of resolving the declaration again', () => {
    const resolved = resolveTopology(paymentsTopology, { stage: 'qa' });
    const runtime = new QueueRuntime(paymentsTopology, { resolved, queue: 'accounting', handlers });
    expect(runtime.queue).toBe(resolved.queues.find((queue) => queue.id === 'accounting'));
    expect(runtime.queue.name).toBe('pay-qa-accounting');
  });

  it('says which queues the resolved topology has when given one it lacks', () => {
    const resolved = resolveTopology(paymentsTopology, { stage: 'qa' });
    expect(() => new QueueRuntime(paymentsTopology, { resolved, queue: 'nosuch', handlers: {} })).toThrowError(HandlerConfigurationError);
  });
});
