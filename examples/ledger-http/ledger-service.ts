import http from 'node:http';
import { verifySignature, type Envelope } from 'postbox';

export interface LedgerEntry {
  readonly entryId: string;
  readonly amountCents: number;
}

/**
 * The ledger's internal API, as a service of the application would be: it checks each request's signature (401
 * otherwise), takes an entry (204), refuses one it can never take (422, which dead-letters the message with this
 * answer), and asks to be called again later when busy (503 with Retry-After: `busy-` entries, the first time).
 * `GET /ledger/entries` lists what it recorded.
 */
export function createLedgerService(secret: string): http.Server & { readonly entries: LedgerEntry[] } {
  const entries: LedgerEntry[] = [];
  const busyOnce = new Set<string>();
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/ledger/entries') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
    if (request.method !== 'POST' || request.url !== '/ledger/events') return void response.writeHead(404).end();
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', async () => {
      let envelope: Envelope<LedgerEntry>;
      try {
        envelope = (await verifySignature({ headers: request.headers, body }, secret)) as Envelope<LedgerEntry>;
      } catch {
        return response.writeHead(401).end('bad signature');
      }
      const entry = envelope.data;
      if (entry.amountCents <= 0) return response.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'amountCents must be positive' }));
      if (entry.entryId.startsWith('busy-') && !busyOnce.has(entry.entryId)) {
        busyOnce.add(entry.entryId);
        return response.writeHead(503, { 'retry-after': '1' }).end();
      }
      entries.push(entry);
      response.writeHead(204).end();
    });
  });
  return Object.assign(server, { entries });
}
