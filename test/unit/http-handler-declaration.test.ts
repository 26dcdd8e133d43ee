import { describe, expect, it } from 'vitest';
import { resolveQueueOf, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { TopologyError } from '../../lib/topology/topology-error.ts';
import type { HandlerInput } from '../../lib/topology/topology-schema.ts';
import { needsNoWorkersModule, workersOfTopology } from '../../lib/runtime/consuming/workers/define-workers.ts';
import { aTopology } from '../helpers/topology-factory.ts';

const withLedger = (handler: Record<string, unknown>) =>
  aTopology({ subscribers: { ledger: { topic: 'items', events: ['item.added'], handler: handler as HandlerInput } } });

function problemsOf(handler: Record<string, unknown>): readonly string[] {
  try {
    resolveTopology(withLedger(handler), { stage: 'dev' });
  } catch (error) {
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as TopologyError).code).toBe('TOPOLOGY_INVALID');
    return (error as TopologyError).problems;
  }
  return [];
}

describe('a handler of kind http', () => {
  it('takes its defaults: hmac signing, 900 s per message, 10 s per request, 10 at once, a breaker of 5 failures for 30 s', () => {
    const resolved = resolveTopology(withLedger({ kind: 'http', url: 'http://ledger.internal/events', secret: { env: 'LEDGER_SECRET' } }), { stage: 'dev' });
    const ledger = resolved.queues.find((queue) => queue.id === 'ledger')!;
    expect(ledger.handler).toEqual({
      kind: 'http',
      url: 'http://ledger.internal/events',
      signing: 'hmac',
      secret: { env: 'LEDGER_SECRET' },
      timeoutSeconds: 900,
      requestTimeoutSeconds: 10,
      concurrency: 10,
      breaker: { failuresToOpen: 5, openSeconds: 30 },
    });
    // Its queue's visibility follows the message's time limit, as a worker's does.
    expect(ledger.visibilityTimeoutSeconds).toBe(900);
  });

  it("calls each stage's own endpoint: {stage} in its URL is the stage it is resolved at, whole or one queue", () => {
    const topology = withLedger({ kind: 'http', url: 'https://ledger-{stage}.internal/{stage}/events', secret: { env: 'LEDGER_SECRET' } });
    const urlAt = (stage: string) => {
      const handler = resolveTopology(topology, { stage }).queues.find((queue) => queue.id === 'ledger')!.handler;
      return handler.kind === 'http' ? handler.url : undefined;
    };
    expect(urlAt('prod')).toBe('https://ledger-prod.internal/prod/events');
    expect(urlAt('dev')).toBe('https://ledger-dev.internal/dev/events');
    const one = resolveQueueOf(topology, { stage: 'prod', queue: 'ledger' }).queue!.handler;
    expect(one.kind === 'http' && one.url).toBe('https://ledger-prod.internal/prod/events');
  });

  it('takes sigv4 signing without a secret, and a Secrets Manager secret by name or ARN', () => {
    expect(problemsOf({ kind: 'http', url: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/events', signing: 'sigv4' })).toEqual([]);
    expect(problemsOf({ kind: 'http', url: 'https://ledger.internal/events', secret: { secretsManager: 'ledger/webhook' } })).toEqual([]);
    expect(problemsOf({ kind: 'http', url: 'https://ledger.internal/events', secret: { secretsManager: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ledger-AbCdEf' } })).toEqual([]);
  });

  it('refuses at synthesis, naming the handler, a missing or needless secret, a bad URL and a request timeout past the time limit', () => {
    expect(problemsOf({ kind: 'http', url: 'http://ledger.internal/events' })).toEqual([
      "subscriber 'ledger': hmac signing needs a secret; add secret: { secretsManager: '<name or ARN>' } or { env: 'VARIABLE' }, or use signing: 'sigv4' for an API behind IAM",
    ]);
    expect(problemsOf({ kind: 'http', url: 'https://x.internal/', signing: 'sigv4', secret: { env: 'S' } })).toEqual([
      "subscriber 'ledger': sigv4 signing uses the worker's AWS credentials, not a secret; remove secret or use signing: 'hmac'",
    ]);
    expect(problemsOf({ kind: 'http', url: 'http://x.internal/', secret: { env: 'S' }, timeoutSeconds: 5, requestTimeoutSeconds: 10 })).toEqual([
      "subscriber 'ledger': requestTimeoutSeconds 10 s is longer than the message's time limit timeoutSeconds 5 s; lower it or raise timeoutSeconds",
    ]);
    expect(problemsOf({ kind: 'http', url: 'ftp://x.internal/', secret: { env: 'S' } }).join('\n')).toMatch(/subscribers\.ledger\.handler\.url.*http:\/\/ or https:\/\//);
  });

  it('is strict: a key of another kind, or two secret sources at once, is refused rather than dropped', () => {
    expect(problemsOf({ kind: 'http', url: 'http://x.internal/', secret: { env: 'S' }, entry: 'functions/x.ts' }).join('\n')).toMatch(/entry/);
    expect(problemsOf({ kind: 'http', url: 'http://x.internal/', secret: { env: 'S', secretsManager: 'x' } })).not.toEqual([]);
  });
});

describe('the workers of a topology whose worker queues are all of kind http', () => {
  it('need no workers module: the topology alone runs them, while a queue of kind worker still needs one', () => {
    const http = withLedger({ kind: 'http', url: 'http://ledger.internal/events', secret: { env: 'S' } });
    expect(needsNoWorkersModule({ ...http, commandHandlers: {} } as never)).toBe(true);
    expect(workersOfTopology(http)).toEqual({ topology: http, queues: {} });
    // aTopology's command handler is a worker.
    expect(needsNoWorkersModule(http as never)).toBe(false);
    expect(needsNoWorkersModule(aTopology({ commandHandlers: {} }) as never)).toBe(false);
  });
});
