import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpEndpointHandler, verifySignature } from '../../lib/runtime/consuming/http-delivery/http-endpoint-handler.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { emulatorClients } from '../helpers/emulator.ts';
import { archiveConsumers } from '../helpers/polling-fixtures.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const { setUp } = archiveConsumers();
const secret = `whsec_${Buffer.from('the endpoint secret, 32 bytes ok').toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Received {
  readonly at: number;
  readonly envelope: Envelope<{ paymentId: string }>;
}

/**
 * The application's internal endpoint: it checks each request's signature (a bad one is a 401), notes it, and
 * answers what `answer` says for it.
 */
async function endpoint(answer: (received: Received, count: number) => { status: number; headers?: Record<string, string>; body?: string }) {
  const received: Received[] = [];
  let refused = 0;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', async () => {
      let envelope: Envelope<{ paymentId: string }>;
      try {
        envelope = (await verifySignature({ headers: request.headers, body }, secret)) as Envelope<{ paymentId: string }>;
      } catch {
        refused += 1;
        return response.writeHead(401).end('bad signature');
      }
      const entry = { at: Date.now(), envelope };
      received.push(entry);
      const { status, headers, body: answerBody } = answer(entry, received.length);
      response.writeHead(status, headers).end(answerBody ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  return { url, received, refused: () => refused, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(50);
  }
}

describe('delivery to a service\'s HTTP endpoint', () => {
  it('POSTs each message as a signed CloudEvent, and a 2xx handles it', async () => {
    const server = await endpoint(() => ({ status: 204 }));
    const { consumer, send, archive } = await setUp();
    const worker = consumer(() => undefined, { handlers: { 'payment.received': httpEndpointHandler({ url: server.url, secret }) } });
    await send('p-1');
    worker.start();
    await until(() => server.received.length === 1);
    expect(server.received[0]!.envelope).toMatchObject({ specversion: '1.0', type: 'payment.received', data: { paymentId: 'p-1' } });
    await until(async () => (await receiveAvailable(clients.sqs, archive.url)).length === 0);
    expect(server.refused()).toBe(0);
    await server.close();
  }, 30_000);

  it('retries a 503 no sooner than its Retry-After asks, then handles it', async () => {
    const server = await endpoint((_, count) => (count === 1 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 200 }));
    const { consumer, send } = await setUp();
    const worker = consumer(() => undefined, { handlers: { 'payment.received': httpEndpointHandler({ url: server.url, secret }) } });
    await send('p-2');
    worker.start();
    await until(() => server.received.length === 2);
    expect(server.received[1]!.at - server.received[0]!.at).toBeGreaterThanOrEqual(2900);
    await server.close();
  }, 30_000);

  it('dead-letters a 422 at once, with the status and the start of the answer as the reason', async () => {
    const server = await endpoint(() => ({ status: 422, body: '{"error": "amountCents must be positive"}' }));
    const { consumer, send, archive } = await setUp();
    const worker = consumer(() => undefined, { handlers: { 'payment.received': httpEndpointHandler({ url: server.url, secret }) } });
    await send('p-3');
    worker.start();
    let deadLetters: Awaited<ReturnType<typeof receiveAvailable>> = [];
    await until(async () => (deadLetters = await receiveAvailable(clients.sqs, archive.deadLetterUrl)).length === 1);
    expect(server.received).toHaveLength(1);
    expect(deadLetters[0]!.MessageAttributes?.['postbox.errorCode']?.StringValue).toBe('ENDPOINT_REJECTED');
    expect(deadLetters[0]!.MessageAttributes?.['postbox.errorMessage']?.StringValue).toContain('with HTTP 422: {"error": "amountCents must be positive"}');
    await server.close();
  }, 30_000);

  it('does not count a redirected POST as delivered: a 301 (http to https, a moved path) never reached the endpoint with the message', async () => {
    // A load balancer that redirects: fetch would follow a 301 or 302 as a GET without the body, and the page it lands
    // on answers 200, so the message was never taken. It must not be deleted as handled.
    const posts: string[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk));
      request.on('end', () => {
        if (request.method === 'POST') posts.push(`${request.url} ${body}`);
        if (request.url === '/events') return response.writeHead(301, { location: '/moved' }).end();
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>welcome</html>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const { consumer, send, archive } = await setUp();
    const worker = consumer(() => undefined, { handlers: { 'payment.received': httpEndpointHandler({ url, secret }) } });
    await send('p-4');
    worker.start();
    // Until the POST was made and the message settled (an in-flight message is not visible: an empty queue alone is no end).
    await until(async () => posts.length === 1 && (await receiveAvailable(clients.sqs, archive.deadLetterUrl, { visibilitySeconds: 0 })).length === 1, 20_000).catch(() => undefined);
    await worker.stop();
    // Gone from its queue, though only a GET without the message reached a page that answered 200: it must be a dead
    // letter with the redirect as its reason (the URL is wrong; fix it, then redrive), not deleted as handled.
    const deadLetters = await receiveAvailable(clients.sqs, archive.deadLetterUrl);
    expect(posts).toHaveLength(1);
    expect(deadLetters.map((message) => message.MessageAttributes?.['postbox.errorMessage']?.StringValue)).toEqual([expect.stringContaining('HTTP 301')]);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }, 30_000);

  it('fetches the secret again after a failed fetch: one Secrets Manager throttle does not dead-letter every message', async () => {
    const server = await endpoint(() => ({ status: 200 }));
    let fetches = 0;
    const loadSecret = async () => {
      fetches += 1;
      if (fetches === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return secret;
    };
    const { consumer, send, archive } = await setUp();
    const worker = consumer(() => undefined, { handlers: { 'payment.received': httpEndpointHandler({ url: server.url, secret: loadSecret }) } });
    await send('p-5');
    worker.start();
    // The archive queue allows 3 attempts: the first meets the throttle, a retry fetches the secret again and delivers.
    await until(async () => server.received.length === 1 || (await receiveAvailable(clients.sqs, archive.deadLetterUrl, { visibilitySeconds: 0 })).length > 0, 25_000);
    expect(server.received.map((entry) => entry.envelope.data.paymentId)).toEqual(['p-5']);
    expect(await receiveAvailable(clients.sqs, archive.deadLetterUrl)).toEqual([]);
    await server.close();
  }, 30_000);

  it('stops receiving while the endpoint is down, spends no message on it, and delivers everything once it is back', async () => {
    let down = true;
    const delivered = new Set<string>();
    const server = await endpoint(({ envelope }) => {
      if (down) return { status: 503 };
      delivered.add(envelope.data.paymentId);
      return { status: 200 };
    });
    const { consumer, send, archive } = await setUp();
    const handler = httpEndpointHandler({ url: server.url, secret, breaker: { failuresToOpen: 2, openSeconds: 2 } });
    const worker = consumer(() => undefined, { handlers: { 'payment.received': handler }, concurrency: 2 });
    const ids = ['p-10', 'p-11', 'p-12', 'p-13', 'p-14', 'p-15'];
    for (const id of ids) await send(id);
    worker.start();
    await until(() => handler.breaker.state !== 'closed');
    const whenOpened = server.received.length;
    // Open for 4 s: only the probes reach the endpoint (one each 2 s), and nothing is dead-lettered.
    await sleep(4000);
    expect(server.received.length - whenOpened).toBeLessThanOrEqual(3);
    expect(await receiveAvailable(clients.sqs, archive.deadLetterUrl)).toEqual([]);
    down = false;
    await until(() => delivered.size === ids.length);
    expect([...delivered].sort()).toEqual(ids);
    await until(async () => (await receiveAvailable(clients.sqs, archive.url)).length === 0);
    expect(await receiveAvailable(clients.sqs, archive.deadLetterUrl)).toEqual([]);
    await server.close();
  }, 60_000);

  it('spends no receive of a message held while the breaker is open: a failed probe waits again, not dead-lettered after its last', async () => {
    let down = true;
    const server = await endpoint(() => (down ? { status: 503 } : { status: 200 }));
    const { consumer, send, archive } = await setUp();
    const handler = httpEndpointHandler({ url: server.url, secret, breaker: { failuresToOpen: 1, openSeconds: 1 } });
    const worker = consumer(() => undefined, { handlers: { 'payment.received': handler }, concurrency: 1 });
    await send('p-20');
    worker.start();
    await until(() => handler.breaker.state !== 'closed');
    // Down for 8 s more: the breaker lets a probe try each second. The archive queue allows 3 attempts.
    await sleep(8000);
    const probes = server.received.length - 1;
    down = false;
    await until(async () => server.received.length > probes + 1 || (await receiveAvailable(clients.sqs, archive.deadLetterUrl, { visibilitySeconds: 0 })).length > 0);
    expect(await receiveAvailable(clients.sqs, archive.deadLetterUrl)).toEqual([]);
    await until(async () => (await receiveAvailable(clients.sqs, archive.url)).length === 0);
    await server.close();
  }, 60_000);
});
