import type { DemoContext } from 'postbox/testing';
import { createLedgerService } from './ledger-service.ts';
import { ledgerUrl, type ledgerTopology } from './ledger-topology.ts';

/**
 * `npm start` (`postbox dev --demo`): runs the ledger service the worker delivers to, and sends it an entry a
 * second; now and then one it refuses (dead-lettered with its answer) and one it is too busy for at first (retried).
 */
export default function startLedgerDemo({ publisher, onError }: DemoContext<typeof ledgerTopology>): { stop(): void } {
  const service = createLedgerService(process.env.LEDGER_WEBHOOK_SECRET!);
  service.listen(Number(new URL(ledgerUrl).port), '127.0.0.1');
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    const entryId = `${tick % 7 === 0 ? 'busy-' : ''}e-${tick}`;
    void publisher.send('ledger.record', { entryId, amountCents: tick % 11 === 0 ? 0 : 100 * tick }).catch(onError);
  }, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      service.close();
    },
  };
}
