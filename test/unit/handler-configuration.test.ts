import { describe, expect, it } from 'vitest';
import { HandlerConfigurationError } from '../../lib/runtime/consuming/handler-configuration-error.ts';
import { QueueRuntime } from '../../lib/runtime/consuming/queue-runtime.ts';
import { runWorkers } from '../../lib/runtime/consuming/workers/run-workers.ts';
import { DEFAULT_STAGE, stageOf } from '../../lib/topology/stage-of.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

describe('handlers that do not match the topology', () => {
  it('are one error wherever they are given: a consumer of a queue the topology lacks', () => {
    const making = () => new QueueRuntime(paymentsTopology, { stage: 'dev', queue: 'nosuch' as never, handlers: {} });
    expect(making).toThrowError(HandlerConfigurationError);
    expect(making).toThrowError(
      "The handlers of queue 'nosuch' do not match the topology: topology 'pay' has no such queue; its queues are 'accounting', 'fraud', 'audit', 'archive', 'report-build', 'receipt-archive'.",
    );
  });

  it("are one error wherever they are given: runWorkers' map without a worker queue, or with a queue that is no worker's", async () => {
    const error = await runWorkers(paymentsTopology, { stage: 'dev', queues: { accounting: { handlers: {} } } as never }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HandlerConfigurationError);
    expect((error as HandlerConfigurationError).code).toBe('HANDLER_CONFIGURATION_INVALID');
    expect((error as Error).message).toBe(
      "The handlers of the workers of topology 'pay' do not match the topology: no handlers for worker queue 'archive'; no handlers for worker queue 'receipt-archive'; 'accounting' is not a worker queue.",
    );
  });

  it('are one error when runWorkers is given handlers for a queue of kind http, or its env secret is not set', async () => {
    const ledger = { topic: 'payments', events: ['payment.received'], handler: { kind: 'http', url: 'http://ledger.internal/events', secret: { env: 'POSTBOX_TEST_UNSET_SECRET' } } } as const;
    const topology = { ...paymentsTopology, subscribers: { ...paymentsTopology.subscribers, ledger } };
    const given = await runWorkers(topology, { stage: 'dev', queues: { archive: { handlers: {} }, 'receipt-archive': { handlers: {} }, ledger: { handlers: {} } } as never }).catch((caught: unknown) => caught);
    expect((given as Error).message).toContain("'ledger' is delivered to the HTTP endpoint its topology handler declares; remove it from the workers");
    const unset = await runWorkers(topology, { stage: 'dev', queues: { archive: { handlers: {} }, 'receipt-archive': { handlers: {} } } as never }).catch((caught: unknown) => caught);
    expect(unset).toBeInstanceOf(HandlerConfigurationError);
    expect((unset as Error).message).toBe(
      "The handlers of queue 'ledger' do not match the topology: its http handler's secret is the environment variable POSTBOX_TEST_UNSET_SECRET, which is not set; set it to the endpoint's whsec_ secret before the worker starts, or declare secret: { secretsManager: '<name>' }.",
    );
  });
});

describe('the stage of the runtime', () => {
  it('is the stage given, else POSTBOX_STAGE, else dev: one rule for the publisher, the consumers and the worker process', () => {
    expect(stageOf('prod', { POSTBOX_STAGE: 'qa' })).toBe('prod');
    expect(stageOf(undefined, { POSTBOX_STAGE: 'qa' })).toBe('qa');
    expect(stageOf(undefined, { POSTBOX_STAGE: '' })).toBe(DEFAULT_STAGE);
    expect(stageOf(undefined, {})).toBe('dev');
  });

  it('lets a consumer given no stage run for dev, as a publisher given none publishes to dev', () => {
    const previous = process.env.POSTBOX_STAGE;
    delete process.env.POSTBOX_STAGE;
    try {
      expect(new QueueRuntime(paymentsTopology, { queue: 'accounting', handlers: { 'payment.received': () => undefined, 'payment.refunded': () => undefined } }).queue.name).toBe('pay-dev-accounting');
    } finally {
      if (previous !== undefined) process.env.POSTBOX_STAGE = previous;
    }
  });
});
