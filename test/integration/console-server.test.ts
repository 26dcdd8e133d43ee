import { SendMessageCommand } from '@aws-sdk/client-sqs';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { startConsoleServer, type ConsoleServer } from '../../lib/local/console-server.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { SeriesStore } from '../../lib/local/series-store.ts';
import { MessageJourneys } from '../../lib/local/message-journeys.ts';
import { journeyRoutes } from '../../lib/local/console-journey-routes.ts';
import { QueueDirectory } from '../../lib/operations/queue-directory.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { queueDepth } from '../helpers/queue-probe.ts';
import { aTopology } from '../helpers/topology-factory.ts';

const clients = emulatorClients();
const declaration = aTopology();
let server: ConsoleServer;
let port: number;
let token: string;
let deadLetterUrl: string;
let journeys: MessageJourneys;
const series = new SeriesStore(60_000, 2_000);
series.push(1_000, { 'queue:ledger': { waiting: 3 } });

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A request as a browser or an attacker's page would send it: any Host, Origin and headers. */
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A refusal: 403 with a one-line JSON reason. */
function reasonOf(answer: Answer): string {
  expect(answer.status).toBe(403);
  expect(answer.headers['content-type']).toBe('application/json');
  const { error } = JSON.parse(answer.body) as { error: string };
  expect(error).not.toContain('\n');
  return error;
}

beforeAll(async () => {
  const stage = uniqueStage();
  const topology = resolveTopology(declaration, { stage });
  const provisioned = await provisionTopology(topology, clients);
  deadLetterUrl = provisioned.queues.get('ledger')!.deadLetterUrl;
  journeys = new MessageJourneys(topology.queues);
  const ledger = topology.queues.find((queue) => queue.id === 'ledger')!;
  const envelope = { id: 'm-42', type: 'item.added', source: 'shop', time: new Date().toISOString(), correlationid: 'm-42', data: { sku: 'Blue Mug' } };
  journeys.record({
    queue: ledger,
    message: { messageId: 'sqs-42', body: JSON.stringify(envelope), attributes: {}, receiptHandle: 'r', receiveCount: 1 },
    outcome: { status: 'processed', envelope: envelope as never, durationMs: 2 },
    left: true,
  });
  const endpoint = inject('awsEndpoint');
  server = await startConsoleServer(new QueueDirectory(topology, clients.sqs, endpoint), new CloudWatchClient({ endpoint }), 0, { rates: () => ({ ledger: 1.5 }), snapshot: () => series.snapshot() }, journeyRoutes(journeys));
  const url = new URL(server.url);
  port = Number(url.port);
  token = url.searchParams.get('token') ?? '';
});

afterAll(() => server?.close());

beforeEach(async () => {
  if ((await queueDepth(clients.sqs, deadLetterUrl)).visible === 0) {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: '{"poison":true}' }));
  }
});

describe('the local console server', () => {
  it('prints a URL on the loopback address with a random token of its own', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[\\w-]{32,}$`));
  });

  it('refuses a cross-origin POST that purges a DLQ (a simple request, no preflight), and the DLQ keeps its message', async () => {
    const answer = await call('POST', '/api/dlq/ledger/purge', { origin: 'http://evil.example', 'content-type': 'text/plain' });
    expect(reasonOf(answer)).toMatch(/origin http:\/\/evil\.example/);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect((await queueDepth(clients.sqs, deadLetterUrl)).visible).toBe(1);
  });

  it('refuses a cross-origin request even when it carries the token', async () => {
    const answer = await call('POST', '/api/dlq/ledger/purge', { origin: 'http://evil.example', 'x-postbox-token': token });
    expect(reasonOf(answer)).toMatch(/origin http:\/\/evil\.example/);
    // A browser request without an Origin (an <img> or <script> GET) still says it is cross-site.
    const noOrigin = await call('POST', '/api/dlq/ledger/purge', { 'sec-fetch-site': 'cross-site', 'x-postbox-token': token });
    expect(reasonOf(noOrigin)).toMatch(/a cross-site request/);
    expect((await queueDepth(clients.sqs, deadLetterUrl)).visible).toBe(1);
  });

  it('refuses a request whose Host is not a loopback name (DNS rebinding), for the API and the page', async () => {
    const overview = await call('GET', '/api/overview', { host: `evil.example:${port}` });
    expect(reasonOf(overview)).toMatch(/Host evil\.example:\d+ is not this console/);
    const purge = await call('POST', '/api/dlq/ledger/purge', { host: `evil.example:${port}`, origin: `http://evil.example:${port}` });
    reasonOf(purge);
    reasonOf(await call('GET', '/', { host: `evil.example:${port}` }));
    expect((await queueDepth(clients.sqs, deadLetterUrl)).visible).toBe(1);
  });

  it('refuses an API request without the token, or with a wrong one', async () => {
    expect(reasonOf(await call('GET', '/api/overview'))).toMatch(/token/);
    expect(reasonOf(await call('POST', '/api/dlq/ledger/purge', { 'x-postbox-token': `${token}x` }))).toMatch(/token/);
    expect((await queueDepth(clients.sqs, deadLetterUrl)).visible).toBe(1);
  });

  it('answers a cross-origin GET of the API and its preflight without CORS headers', async () => {
    const get = await call('GET', '/api/overview', { origin: 'http://evil.example' });
    reasonOf(get);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await call('OPTIONS', '/api/dlq/ledger/purge', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-postbox-token',
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('serves the page on every loopback name without its token in it', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const page = await call('GET', '/', { host });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>Postbox console</title>');
      expect(page.body).not.toContain(token);
    }
  });

  it('does what its own page asks with the token: overview, then purge', async () => {
    const own = { origin: `http://localhost:${port}`, host: `localhost:${port}`, 'x-postbox-token': token };
    const overview = await call('GET', '/api/overview', own);
    expect(overview.status).toBe(200);
    expect(JSON.parse(overview.body).topology.queues.map((queue: { id: string }) => queue.id)).toContain('ledger');
    expect((await call('POST', '/api/dlq/ledger/purge', own)).status).toBe(200);
    await expect.poll(async () => (await queueDepth(clients.sqs, deadLetterUrl)).visible, { timeout: 5_000 }).toBe(0);
  });

  it("serves the charts' library from the installed package, and the figures over time to its own page", async () => {
    const library = await call('GET', '/uplot.js');
    expect(library.status).toBe(200);
    expect(library.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(library.body).toContain('uPlot');
    expect((await call('GET', '/uplot.css')).status).toBe(200);
    reasonOf(await call('GET', '/api/series'));
    const answer = await call('GET', '/api/series', { 'x-postbox-token': token });
    expect(JSON.parse(answer.body)).toEqual({ stepMs: 2_000, windowMs: 60_000, times: [1_000], charts: { 'queue:ledger': { waiting: [3] } } });
    expect(JSON.parse((await call('GET', '/api/overview', { 'x-postbox-token': token })).body).rates).toEqual({ ledger: 1.5 });
  });

  it('finds a message by a text in its data and answers its journey; an unknown id is a 404 that says what to do', async () => {
    reasonOf(await call('GET', '/api/journeys?q=mug'));
    const found = JSON.parse((await call('GET', '/api/journeys?q=blue%20mug', { 'x-postbox-token': token })).body);
    expect(found).toMatchObject({ capacity: 5_000, matches: [{ id: 'm-42', type: 'item.added', status: { ledger: 'handled' } }] });
    const journey = JSON.parse((await call('GET', '/api/journeys/m-42', { 'x-postbox-token': token })).body);
    expect(journey.timeline.map((hop: { kind: string }) => hop.kind)).toEqual(['published', 'routed', 'attempt']);
    const unknown = await call('GET', '/api/journeys/nope', { 'x-postbox-token': token });
    expect([unknown.status, JSON.parse(unknown.body).error]).toEqual([404, expect.stringMatching(/^No journey of message nope: .* Search by its type/)]);
  });

  it('answers a malformed JSON body with 400 and keeps serving', async () => {
    const answer = await call('POST', '/api/dlq/ledger/redrive', { 'x-postbox-token': token, 'content-type': 'application/json' }, '{not json');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/not JSON/);
    expect((await call('GET', '/api/overview', { 'x-postbox-token': token })).status).toBe(200);
  });

  it('redrives a dead letter that the page is listing at that moment: a listing and a redrive of one DLQ take turns', async () => {
    const own = { origin: `http://localhost:${port}`, host: `localhost:${port}`, 'x-postbox-token': token };
    const [listing, redrive] = await Promise.all([
      call('GET', '/api/dlq/ledger', own),
      call('POST', '/api/dlq/ledger/redrive', { ...own, 'content-type': 'application/json' }, '{}'),
    ]);
    expect(listing.status).toBe(200);
    expect(JSON.parse(redrive.body)).toMatchObject({ moved: 1 });
  });
});
