import { OutboxRelay, type OutboxRelayOptions, type RelayReport } from './outbox-relay.ts';
import type { OutboxStore } from './outbox-store.ts';

export interface OutboxPollerOptions extends Omit<OutboxRelayOptions, 'store'> {
  readonly store: OutboxStore;
  /** Records read per round. @default 100 */
  readonly batchSize?: number;
  /** Pause after a round that found nothing to send. @default 1000 */
  readonly idleMs?: number;
  /** Told of every round that sent, dead-lettered or left something. @default nothing */
  readonly onReport?: (report: RelayReport) => void;
  /** Told when a round failed as a whole (the store could not be read); the poller goes on. @default nothing */
  readonly onError?: (error: unknown) => void;
}

/**
 * The relay of a store read by polling: the local stand-in for the stream Lambda (moto's DynamoDB has no stream to
 * read), and the relay of an outbox store of your own. Reads the pending records, relays them, and again, until
 * stopped.
 */
export class OutboxPoller {
  private readonly relay: OutboxRelay;
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: OutboxPollerOptions) {
    this.relay = new OutboxRelay(options);
  }

  /** Relays what is pending once; the records left unsettled stay pending for the next round. */
  async relayOnce(signal?: AbortSignal): Promise<RelayReport> {
    return this.relay.relay(await this.options.store.pending(this.options.batchSize ?? 100), signal);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops after the round in flight, which hands out no new record. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { signal } = this.controller;
    while (!signal.aborted) {
      let busy = false;
      try {
        const report = await this.relayOnce(signal);
        busy = report.sent.length + report.deadLettered.length > 0;
        if (busy || report.unsettled.length > 0) this.options.onReport?.(report);
      } catch (error) {
        this.options.onError?.(error);
      }
      if (!busy) await pause(this.options.idleMs ?? 1000, signal);
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
