import * as z from 'zod';
import { defineTopology } from 'postbox';

/** Where the ledger service listens; its tests start it on a free port and say so here. */
export const ledgerUrl = process.env.LEDGER_URL ?? 'http://127.0.0.1:8790/ledger/events';

/**
 * The ledger records entries through its own HTTP API, not from a queue: Postbox's worker takes each
 * `ledger.record` command from its queue and POSTs it there, signed with the secret in LEDGER_WEBHOOK_SECRET.
 * No handler module: the topology says where the messages go.
 */
export const ledgerTopology = defineTopology({
  app: 'ledger',
  events: {},
  topics: {},
  commands: {
    'ledger.record': {
      schema: z.object({ entryId: z.string(), amountCents: z.number().int() }),
      description: 'Record an entry in the ledger.',
    },
  },
  commandHandlers: {
    'ledger.record': {
      handler: { kind: 'http', url: ledgerUrl, secret: { env: 'LEDGER_WEBHOOK_SECRET' }, timeoutSeconds: 120, requestTimeoutSeconds: 5, concurrency: 4 },
      queue: { maxReceiveCount: 3, backoff: { baseSeconds: 1, capSeconds: 2 } },
    },
  },
});
