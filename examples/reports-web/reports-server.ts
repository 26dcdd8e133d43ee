import http from 'node:http';
import type { Requester } from 'postbox';
import type { reportsTopology } from './reports-topology.ts';

type ReportRequester = Requester<typeof reportsTopology>;
type Outcome = { status: 'pending' } | { status: 'done'; url: string } | { status: 'failed'; error: string };

/** Outcomes kept for polling: the newest this many, so a page that never comes back costs nothing for long. */
const KEPT_OUTCOMES = 1000;

/**
 * `POST /reports` with `{ "month": "2026-11" }` waits for the reply and answers 200 `{ url }` (504 when it times
 * out, 502 when the handler failed); `POST /reports?wait=false` answers 202 `{ id }` at once, and
 * `GET /reports/<id>` then says `pending`, `done` with the url, or `failed`.
 */
export function createReportsServer(requester: ReportRequester, options: { timeoutSeconds?: number } = {}): http.Server {
  const outcomes = new Map<string, Outcome>();
  const keep = (id: string, outcome: Outcome) => {
    outcomes.delete(id);
    outcomes.set(id, outcome);
    if (outcomes.size > KEPT_OUTCOMES) outcomes.delete(outcomes.keys().next().value!);
  };
  return http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const answer = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method === 'GET' && url.pathname.startsWith('/reports/')) {
      const outcome = outcomes.get(url.pathname.slice('/reports/'.length));
      return outcome ? answer(200, outcome) : answer(404, { error: 'no such report request' });
    }
    if (request.method !== 'POST' || url.pathname !== '/reports') return answer(404, { error: 'POST /reports or GET /reports/<id>' });
    let month: string;
    try {
      month = JSON.parse(await bodyOf(request)).month;
    } catch {
      return answer(400, { error: 'expected a JSON body { "month": "YYYY-MM" }' });
    }
    const id = crypto.randomUUID();
    const reply = requester.request('report.generate', { month }, { id, timeoutSeconds: options.timeoutSeconds ?? 30 });
    keep(id, { status: 'pending' });
    const settled = reply.then(
      ({ url: reportUrl }) => ({ status: 'done', url: reportUrl }) as const,
      (error: Error) => ({ status: 'failed', error: error.message }) as const,
    );
    void settled.then((outcome) => keep(id, outcome));
    if (url.searchParams.get('wait') === 'false') return answer(202, { id });
    try {
      return answer(200, await reply);
    } catch (error) {
      const code = (error as { code?: string }).code;
      return answer(code === 'REQUEST_TIMED_OUT' ? 504 : code === 'REQUEST_FAILED' ? 502 : 400, { id, error: (error as Error).message });
    }
  });
}

function bodyOf(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}
