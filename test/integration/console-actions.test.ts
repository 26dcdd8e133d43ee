import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { startLocalSystem, type LocalSystem } from '../../lib/local/local-system.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { uniqueStage } from '../helpers/emulator.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const root = path.resolve(import.meta.dirname, '../..');
let system: LocalSystem;
let console: URL;
const cancelled: string[] = [];

/** The orders service in this process at the test's emulator, its analytics worker recording what it handles. */
beforeAll(async () => {
  vi.stubEnv('POSTBOX_LOG_LEVEL', 'error');
  vi.stubEnv('POSTBOX_METRICS', 'off');
  system = await startLocalSystem(ordersTopology, {
    topology: resolveTopology(ordersTopology, { stage: uniqueStage() }),
    endpoint: inject('awsEndpoint'),
    workers: { analytics: { handlers: { 'order.cancelled': ({ data }) => void cancelled.push(data.orderId) } } },
    projectRoot: root,
    consolePort: 0,
    logger: createLogger({}, { level: 'error' }),
  });
  console = new URL(system.console!.url);
});

afterAll(async () => {
  await system?.stop();
  vi.unstubAllEnvs();
});

/** A call of the console's own page: with its token. */
async function call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(route, console), {
    method,
    headers: { 'x-postbox-token': console.searchParams.get('token')!, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const depthOf = async (queue: string) => queueDepth(system.clients.sqs, (await system.directory.address(queue)).url);

describe("the console's actions", () => {
  it('lists the message types with their JSON Schema and form fields', async () => {
    const { status, body } = await call('GET', '/api/message-types');
    expect(status).toBe(200);
    expect(body.map((entry: { type: string }) => entry.type)).toEqual(['order.placed', 'order.cancelled', 'invoice.generate']);
    expect(body[1]).toMatchObject({ kind: 'event', schema: { type: 'object' }, fields: [{ name: 'orderId' }, { name: 'reason' }] });
  });

  it('refuses data that does not match the schema with 400, naming the field, and publishes nothing', async () => {
    const { status, body } = await call('POST', '/api/publish', { type: 'order.placed', data: { orderId: 'o-bad', customerId: 'c-1', totalCents: -5, currency: 'EUR' } });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'INVALID_MESSAGE_DATA', issues: [{ field: 'totalCents', message: expect.any(String) }] });
    expect(body.error).toMatch(/^order\.placed was not published: .*totalCents/);
    expect((await call('POST', '/api/publish', { type: 'order.shipped', data: {} })).status).toBe(404);
    expect((await call('POST', '/api/publish', { data: {} })).body.code).toBe('INVALID_CONSOLE_REQUEST');
  });

  it("pauses a queue's consumer: what is published reaches both subscribers and waits; resumed, it drains", async () => {
    expect(await call('GET', '/api/consumers')).toEqual({ status: 200, body: { notifications: 'running', analytics: 'running', 'invoice-generate': 'running' } });
    for (const queue of ['analytics', 'notifications']) expect((await call('POST', `/api/consumers/${queue}/pause`)).body).toEqual({ queue, state: 'paused' });
    expect((await call('GET', '/api/consumers')).body).toMatchObject({ analytics: 'paused', notifications: 'paused' });
    // A receive under way when it paused ends with its long poll (2 s).
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const published = await call('POST', '/api/publish', { type: 'order.cancelled', data: { orderId: 'o-paused', reason: 'changed my mind' } });
    expect(published).toMatchObject({ status: 200, body: { type: 'order.cancelled', kind: 'event', id: expect.any(String), messageId: expect.any(String) } });
    await expect.poll(() => depthOf('analytics'), { timeout: 10_000 }).toEqual({ visible: 1, inFlight: 0 });
    await expect.poll(() => depthOf('notifications'), { timeout: 10_000 }).toEqual({ visible: 1, inFlight: 0 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(cancelled).toEqual([]);
    expect(await depthOf('analytics')).toEqual({ visible: 1, inFlight: 0 });

    for (const queue of ['analytics', 'notifications']) expect((await call('POST', `/api/consumers/${queue}/resume`)).body).toEqual({ queue, state: 'running' });
    await expect.poll(() => cancelled, { timeout: 15_000 }).toEqual(['o-paused']);
    await expect.poll(() => depthOf('notifications'), { timeout: 15_000 }).toEqual({ visible: 0, inFlight: 0 });
    expect((await call('POST', '/api/consumers/nowhere/pause')).status).toBe(404);
  });

  it('deletes exactly the selected dead letters', async () => {
    const { deadLetterUrl } = await system.directory.address('analytics');
    for (const n of [1, 2, 3]) await system.clients.sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: JSON.stringify({ n }) }));
    const listed = (await call('GET', '/api/dlq/analytics')).body as Array<{ messageId: string; excerpt: string }>;
    expect(listed).toHaveLength(3);
    const [keep, ...remove] = listed;
    const { status, body } = await call('POST', '/api/dlq/analytics/delete', { ids: remove.map((letter) => letter.messageId) });
    expect(status).toBe(200);
    expect(body).toEqual({ deleted: expect.arrayContaining(remove.map((letter) => letter.messageId)), notFound: [], failures: [] });
    expect(body.deleted).toHaveLength(2);
    expect((await call('GET', '/api/dlq/analytics')).body.map((letter: { messageId: string }) => letter.messageId)).toEqual([keep!.messageId]);
    expect((await call('POST', '/api/dlq/analytics/delete', { ids: [] })).body.code).toBe('EMPTY_DELETE_SELECTION');
    expect((await call('POST', '/api/dlq/analytics/delete', { ids: 'all' })).status).toBe(400);
    // Nor is an empty selection a redrive of them all: that is asked for without ids.
    expect(await call('POST', '/api/dlq/analytics/redrive', { ids: [] })).toMatchObject({ status: 400, body: { code: 'EMPTY_REDRIVE_SELECTION' } });
    expect(await depthOf('analytics')).toEqual({ visible: 0, inFlight: 0 });
  });
});
