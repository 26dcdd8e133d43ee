import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { CliContext } from '../cli/cli-context.ts';
import { browse, describeDeadLetter, release } from '../cli/dead-letter-browser.ts';
import { redriveClientSide } from '../cli/dead-letter-redrive.ts';
import { queueStatuses } from '../cli/commands/status-command.ts';
import { describeError } from '../messages/message-errors.ts';

const page = path.join(path.dirname(fileURLToPath(import.meta.url)), 'console', 'console.html');

export interface ConsoleServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The local console: one static page and a small JSON API over the same code
 * as the CLI (status, dlq show, redrive, purge). Listens on 127.0.0.1 only.
 */
export function startConsoleServer(ctx: CliContext, port: number, rates: () => Record<string, number>): Promise<ConsoleServer> {
  const routes: Array<[string, RegExp, (match: RegExpMatchArray, body: unknown) => Promise<unknown>]> = [
    ['GET', /^\/api\/overview$/, async () => ({ topology: describeTopology(ctx), status: await queueStatuses(ctx), rates: rates() })],
    [
      'GET',
      /^\/api\/dlq\/([\w.-]+)$/,
      async ([, queue]) => {
        const { deadLetterUrl } = await ctx.address(queue!);
        const messages = await browse(ctx.sqs, deadLetterUrl, 100);
        await release(ctx.sqs, deadLetterUrl, messages);
        return messages.map(describeDeadLetter);
      },
    ],
    [
      'POST',
      /^\/api\/dlq\/([\w.-]+)\/redrive$/,
      async ([, queue], body) => {
        const ids = (body as { ids?: string[] } | undefined)?.ids;
        return redriveClientSide(ctx.sqs, await ctx.address(queue!), ids && ids.length > 0 ? { ids } : {}, { max: 1000 });
      },
    ],
    [
      'POST',
      /^\/api\/dlq\/([\w.-]+)\/purge$/,
      async ([, queue]) => {
        const { deadLetterUrl } = await ctx.address(queue!);
        await ctx.sqs.send(new PurgeQueueCommand({ QueueUrl: deadLetterUrl }));
        return { purged: queue };
      },
    ],
  ];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(page));
      return;
    }
    const route = routes.find(([method, pattern]) => method === request.method && pattern.test(url.pathname));
    if (!route) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no ${request.method} ${url.pathname}` }));
      return;
    }
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk));
    request.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      route[2](url.pathname.match(route[1])!, body).then(
        (result) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
        (error: unknown) => response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: describeError(error) })),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function describeTopology(ctx: CliContext) {
  return {
    app: ctx.topology.app,
    stage: ctx.topology.stage,
    topics: ctx.topology.topics.map(({ id, name, fifo, events }) => ({ id, name, fifo, events })),
    queues: ctx.topology.queues.map((queue) => ({
      id: queue.id,
      name: queue.name,
      role: queue.role,
      fifo: queue.fifo,
      messageTypes: queue.messageTypes,
      topic: queue.subscription?.topicId ?? null,
      filter: queue.subscription?.filterPolicy ?? null,
      handler: queue.handler.kind === 'lambda' ? `λ ${queue.handler.entry}` : `worker (concurrency ${queue.handler.concurrency})`,
    })),
  };
}
