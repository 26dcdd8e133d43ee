import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { browse, describeDeadLetter, release } from '../operations/dead-letter-browser.ts';
import { redriveDeadLetters } from '../operations/redrive-dead-letters.ts';
import { QueueDoesNotExistError } from '../aws/aws-errors.ts';
import { UnknownQueueError, type QueueDirectory } from '../operations/queue-directory.ts';
import { queueStatuses } from '../operations/queue-status.ts';
import type { ResolvedTopology } from '../topology/resolve-topology.ts';
import { describeError } from '../messages/message-errors.ts';
import { ConsoleGuard, createConsoleToken } from './console-guard.ts';
import type { SeriesSnapshot } from './series-store.ts';

const pageDirectory = path.join(path.dirname(fileURLToPath(import.meta.url)), 'console');
const page = path.join(pageDirectory, 'console.html');

/**
 * uPlot, which draws the charts, served from the installed package (a dependency of Postbox): the page works
 * offline, and from the packed tarball, with no copy of it to keep up to date here.
 */
function chartAssets(): Record<string, { file: string; type: string }> {
  const resolve = createRequire(import.meta.url).resolve;
  return {
    '/uplot.js': { file: resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
    '/uplot.css': { file: resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  };
}

/** The page's own scripts, `/console-*.js`, each a plain script beside the page. */
function pageScript(pathname: string): { file: string; type: string } | undefined {
  const name = /^\/(console-[\w-]+\.js)$/.exec(pathname)?.[1];
  const file = name && path.join(pageDirectory, name);
  return file && existsSync(file) ? { file, type: 'text/javascript; charset=utf-8' } : undefined;
}

/** Runs work on one DLQ after the work on it asked for before (see startConsoleServer). */
export type InTurn = <R>(queue: string, work: () => Promise<R>) => Promise<R>;

/** A route of the console's API: its method, its path, and its answer (200, or a ConsoleAnswer). */
/** What a route may use beside its path and body: the DLQ operations' turns, and the query string. */
export interface ConsoleRequest {
  readonly inTurn: InTurn;
  readonly query: URLSearchParams;
}

export type ConsoleRoute = readonly [method: string, pattern: RegExp, answer: (match: RegExpMatchArray, body: unknown, request: ConsoleRequest) => Promise<unknown>];

/** An answer other than 200: what a route returns for a request it refuses (data that does not match, nothing selected). */
export class ConsoleAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** What the console reads of the system over time (the SystemSampler). */
export interface ConsoleFigures {
  /** Messages handled per second per queue, over the last step. */
  rates(): Record<string, number>;
  snapshot(): SeriesSnapshot;
}

export interface ConsoleServer {
  /** Where to open the console, with its per-run token: `http://127.0.0.1:8787/?token=…`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The local console: one static page, its chart library, and a small JSON API over the same code
 * operations as the CLI (status, dlq show, redrive, purge) and the system's figures over time. Listens on 127.0.0.1 only and
 * answers only its own page (see ConsoleGuard).
 */
export function startConsoleServer(directory: QueueDirectory, cloudwatch: CloudWatchClient, port: number, figures: ConsoleFigures, more: readonly ConsoleRoute[] = []): Promise<ConsoleServer> {
  const assets = chartAssets();
  // A listing hides the dead letters it reads until it gives them back, so a redrive or purge running beside it
  // would miss them: the operations on one DLQ take turns.
  const turns = new Map<string, Promise<unknown>>();
  const inTurn: InTurn = <R>(queue: string, work: () => Promise<R>): Promise<R> => {
    const result = (turns.get(queue) ?? Promise.resolve()).then(work, work);
    turns.set(queue, result.catch(() => undefined));
    return result;
  };
  const routes: ConsoleRoute[] = [
    ['GET', /^\/api\/overview$/, async () => ({ topology: describeTopology(directory.topology), status: await queueStatuses(directory, cloudwatch), rates: figures.rates() })],
    ['GET', /^\/api\/series$/, async () => figures.snapshot()],
    [
      'GET',
      /^\/api\/dlq\/([\w.-]+)$/,
      async ([, queue]) =>
        inTurn(queue!, async () => {
          const { deadLetterUrl } = await directory.address(queue!);
          const messages = await browse(directory.sqs, deadLetterUrl, 100);
          await release(directory.sqs, deadLetterUrl, messages);
          return messages.map(describeDeadLetter);
        }),
    ],
    [
      'POST',
      /^\/api\/dlq\/([\w.-]+)\/redrive$/,
      async ([, queue], body) => {
        const ids = (body as { ids?: string[] } | undefined)?.ids;
        // An empty selection is not "all": redriving every dead letter is asked for without ids.
        if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0)) {
          return new ConsoleAnswer(400, { error: `POST /api/dlq/${queue}/redrive takes {"ids": ["<message id>", …]}, the dead letters to redrive, or no ids to redrive them all; none was selected`, code: 'EMPTY_REDRIVE_SELECTION' });
        }
        return inTurn(queue!, async () => redriveDeadLetters(directory.sqs, await directory.address(queue!), { filter: ids ? { ids } : {}, max: 1000 }));
      },
    ],
    [
      'POST',
      /^\/api\/dlq\/([\w.-]+)\/purge$/,
      async ([, queue]) =>
        inTurn(queue!, async () => {
          const { deadLetterUrl } = await directory.address(queue!);
          await directory.sqs.send(new PurgeQueueCommand({ QueueUrl: deadLetterUrl }));
          return { purged: queue };
        }),
    ],
    ...more,
  ];
  const token = createConsoleToken();
  let guard: ConsoleGuard;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const api = url.pathname.startsWith('/api/');
    const refusal = guard.refusal(request, api);
    if (refusal) return send(response, 403, { error: refusal });
    if (request.method === 'GET' && url.pathname === '/') {
      return send(response, 200, readFileSync(page), 'text/html; charset=utf-8');
    }
    const asset = request.method === 'GET' ? (assets[url.pathname] ?? pageScript(url.pathname)) : undefined;
    if (asset) return send(response, 200, readFileSync(asset.file), asset.type);
    const route = routes.find(([method, pattern]) => method === request.method && pattern.test(url.pathname));
    if (!route) return send(response, 404, { error: `no ${request.method} ${url.pathname}` });
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk));
    request.on('end', () => {
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch (error) {
        return send(response, 400, { error: `the body of ${request.method} ${url.pathname} is not JSON (${describeError(error)}); send JSON or nothing` });
      }
      route[2](url.pathname.match(route[1])!, body, { inTurn, query: url.searchParams }).then(
        (result) => (result instanceof ConsoleAnswer ? send(response, result.status, result.body) : send(response, 200, result)),
        (error: unknown) => send(response, error instanceof UnknownQueueError || error instanceof QueueDoesNotExistError ? 404 : 500, { error: describeError(error) }),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      guard = new ConsoleGuard(bound, token);
      resolve({
        url: `http://127.0.0.1:${bound}/?token=${token}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Answers JSON (or the page), never with CORS headers, never cached, never framed. */
function send(response: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  response
    .writeHead(status, {
      'content-type': contentType,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "frame-ancestors 'none'",
    })
    .end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

function describeTopology(topology: ResolvedTopology) {
  return {
    app: topology.app,
    stage: topology.stage,
    topics: topology.topics.map(({ id, name, fifo, events }) => ({ id, name, fifo, events })),
    queues: topology.queues.map((queue) => ({
      id: queue.id,
      name: queue.name,
      role: queue.role,
      fifo: queue.fifo,
      messageTypes: queue.messageTypes,
      topic: queue.subscription?.topicId ?? null,
      filter: queue.subscription?.filterPolicy ?? null,
      handler: queue.handler.kind === 'lambda' ? `λ ${queue.handler.entry}` : `worker (concurrency ${queue.handler.concurrency})`,
      handlerKind: queue.handler.kind,
    })),
  };
}
