import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { runWorkers, type RunningWorkers, type RunWorkersOptions } from '../../lib/runtime/consuming/workers/run-workers.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { gate, until } from '../helpers/polling-fixtures.ts';

const clients = emulatorClients();
type Payments = typeof paymentsTopology;

/** A loopback stand-in for the ECS agent's task protection endpoint: records each PUT, answers as `answer` says. */
async function fakeAgent(answer: () => { status: number; body: unknown } = () => ({ status: 200, body: { protection: { ProtectionEnabled: true } } })) {
  const calls: Array<{ ProtectionEnabled: boolean; ExpiresInMinutes?: number }> = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.method === 'PUT' && request.url === '/v3/task-1/task-protection/v1/state') calls.push(JSON.parse(body));
      const { status, body: reply } = answer();
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agentUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/task-1`;
  return { calls, agentUri, close: () => new Promise((resolve) => server.close(resolve)) };
}

const cleanUp: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanUp.splice(0).reverse()) await step();
});

/** The payments workers on a stage of their own; `archive` runs `handle`. */
async function workers(handle: (paymentId: string) => unknown, options: Partial<RunWorkersOptions<Payments>>) {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
  const logs: Array<Record<string, unknown>> = [];
  const running: RunningWorkers = await runWorkers(paymentsTopology, {
    stage,
    sqs: clients.sqs,
    logger: createLogger({}, { write: (line) => logs.push(JSON.parse(line)) }),
    consumer: { waitTimeSeconds: 1, writeMetrics: () => undefined },
    queues: { archive: { handlers: { 'payment.received': ({ data }) => handle(data.paymentId) } }, 'receipt-archive': { handlers: { 'receipt.archive': () => undefined } } },
    ...options,
  });
  cleanUp.push(() => running.stop('requested'));
  const url = provisioned.queues.get('archive')!.url;
  const send = (paymentId: string) =>
    clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ paymentId, amountCents: 1 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } },
      }),
    );
  const handled = () => running.consumers.reduce((sum, consumer) => sum + consumer.health().handled, 0);
  return { send, handled, logs };
}

describe('ECS task scale-in protection of a worker process', () => {
  it('turns on when a job starts, renews while it runs, and turns off once the last message has settled', async () => {
    const agent = await fakeAgent();
    cleanUp.push(agent.close);
    const finish = gate();
    const started = gate();
    const { send, handled } = await workers(
      async () => {
        started.open();
        await finish.opened;
      },
      { scaleInProtection: { agentUri: agent.agentUri, expiresInMinutes: 2, renewEveryMs: 300, releaseAfterMs: 300 } },
    );
    await send('long-job');
    await started.opened;
    // Asked for as the message is received; the request may land just after the handler starts.
    await until(() => agent.calls.length >= 1);
    expect(agent.calls[0]).toEqual({ ProtectionEnabled: true, ExpiresInMinutes: 2 });
    // A long job: renewed before it expires, while it runs.
    await until(() => agent.calls.length >= 3);
    expect(agent.calls.every((call) => call.ProtectionEnabled)).toBe(true);
    finish.open();
    await until(() => handled() === 1);
    await until(() => agent.calls.at(-1)?.ProtectionEnabled === false);
    const count = agent.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    // Off, and no renewal after it.
    expect(agent.calls.length).toBe(count);
    expect(agent.calls.filter((call) => !call.ProtectionEnabled)).toHaveLength(1);
  }, 30_000);

  it('calls once on and once off for a burst of short jobs, not per message', async () => {
    const agent = await fakeAgent();
    cleanUp.push(agent.close);
    const { send, handled } = await workers(() => undefined, { scaleInProtection: { agentUri: agent.agentUri, releaseAfterMs: 1_500 } });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map(send));
    await until(() => handled() === 5);
    await until(() => agent.calls.length === 2);
    expect(agent.calls).toEqual([{ ProtectionEnabled: true, ExpiresInMinutes: 15 }, { ProtectionEnabled: false }]);
  }, 30_000);

  it('logs and counts a refusal of the agent, and the job still runs', async () => {
    const agent = await fakeAgent(() => ({ status: 400, body: { error: { Code: 'AccessDeniedException', Message: 'not allowed' } } }));
    cleanUp.push(agent.close);
    const { send, handled, logs } = await workers(() => undefined, { scaleInProtection: { agentUri: agent.agentUri, releaseAfterMs: 100 } });
    await send('p-1');
    await until(() => handled() === 1);
    await until(() => agent.calls.length === 2);
    const warnings = logs.filter((line) => line.message === 'could not change the scale-in protection of the task');
    expect(warnings.map((line) => [line.failures, (line.error as { code?: string }).code])).toEqual([
      [1, 'TASK_PROTECTION_FAILED'],
      [2, 'TASK_PROTECTION_FAILED'],
    ]);
  }, 30_000);

  it('is on wherever ECS sets ECS_AGENT_URI (in its tasks), with no option', async () => {
    const agent = await fakeAgent();
    cleanUp.push(agent.close);
    vi.stubEnv('ECS_AGENT_URI', agent.agentUri);
    cleanUp.push(async () => vi.unstubAllEnvs());
    const { send, handled } = await workers(() => undefined, {});
    await send('p-1');
    await until(() => handled() === 1);
    expect(agent.calls[0]).toEqual({ ProtectionEnabled: true, ExpiresInMinutes: 15 });
  }, 30_000);
});
