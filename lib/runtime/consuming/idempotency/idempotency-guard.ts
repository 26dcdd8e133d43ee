import type { Envelope } from '../../../messages/envelope.ts';
import type { ResolvedIdempotency } from '../../../topology/resolved-topology.ts';
import type { Logger } from '../../observability/logger.ts';
import { IdempotencyInProgressError, IdempotencyKeyError, IdempotencyStoreUnavailableError } from './idempotency-errors.ts';
import type { IdempotencyClaim, IdempotencyStore, StoredResult } from './idempotency-store.ts';
import type { IdempotentOptions } from './idempotent-handler.ts';

/** What became of a guarded message: its handler ran, or an earlier delivery had handled it already. */
export type GuardedRun = { readonly ran: true } | { readonly ran: false; readonly key: string; readonly storedResult: unknown };

/** A stored result larger than this is replaced by a note: a DynamoDB item holds 400 KB at most. */
const MAX_STORED_RESULT_CHARS = 64 * 1024;

/** Tries of marking a record completed; a completion that never lands lets a redelivery after the lease run again. */
const COMPLETE_TRIES = 3;

/**
 * Runs a queue's handlers once per message key: claims the key, runs the handler, records the result; a
 * key handled before is acknowledged without a call. A key that cannot be claimed fails the message
 * (retried), never runs the handler unguarded; a failed handler releases its key so the retry runs.
 */
export class IdempotencyGuard {
  constructor(
    private readonly queue: string,
    private readonly settings: ResolvedIdempotency,
    private readonly store: IdempotencyStore,
    private readonly optionsByType: Readonly<Record<string, IdempotentOptions<any> | undefined>>,
    private readonly logger: Logger,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async run(messageId: string, envelope: Envelope, handle: () => unknown): Promise<GuardedRun> {
    const key = this.keyOf(messageId, envelope);
    let claimed;
    try {
      claimed = await this.store.claim(key, this.settings.leaseSeconds);
    } catch (error) {
      throw new IdempotencyStoreUnavailableError(messageId, key, this.store.description, error);
    }
    if (claimed.status === 'completed') return { ran: false, key, storedResult: parseStored(claimed.result) };
    if (claimed.status === 'in-progress') throw new IdempotencyInProgressError(messageId, key, claimed.leaseUntil);
    let result: unknown;
    try {
      result = await handle();
    } catch (error) {
      await this.store.release(claimed.claim).catch((releaseError: unknown) =>
        this.logger.warn('could not release the idempotency record of a failed message; its retry waits for the lease to run out', {
          messageId,
          idempotencyKey: key,
          leaseSeconds: this.settings.leaseSeconds,
          error: releaseError,
        }),
      );
      throw error;
    }
    await this.complete(messageId, claimed.claim, storable(result), this.optionsByType[envelope.type]?.lifetimeSeconds ?? this.settings.lifetimeSeconds);
    return { ran: true };
  }

  /**
   * The handler's effect has happened: failing the message now would run it again. So a completion that
   * cannot be written is logged, and the message is acknowledged all the same.
   */
  private async complete(messageId: string, claim: IdempotencyClaim, result: StoredResult, lifetimeSeconds: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await this.store.complete(claim, result, lifetimeSeconds))) {
          this.logger.warn('the idempotency record of a handled message was taken over by another attempt after its lease ran out; the handler may have run twice', {
            messageId,
            idempotencyKey: claim.key,
            leaseSeconds: this.settings.leaseSeconds,
          });
        }
        return;
      } catch (error) {
        if (attempt >= COMPLETE_TRIES) {
          this.logger.error('handled, but its idempotency record could not be marked completed; a redelivery after the lease runs the handler again', {
            messageId,
            idempotencyKey: claim.key,
            store: this.store.description,
            error,
          });
          return;
        }
        await this.sleep(100 * 2 ** attempt);
      }
    }
  }

  private keyOf(messageId: string, envelope: Envelope): string {
    const keyOf = this.optionsByType[envelope.type]?.key;
    if (!keyOf) return `${this.queue}#${envelope.id}`;
    let key: unknown;
    try {
      key = keyOf(envelope);
    } catch (error) {
      throw new IdempotencyKeyError(messageId, envelope.type, `threw (${(error as Error)?.message ?? String(error)})`, error);
    }
    if (typeof key !== 'string' || key.length === 0) throw new IdempotencyKeyError(messageId, envelope.type, `returned ${JSON.stringify(key) ?? 'undefined'}, not a non-empty string`);
    // Per queue: two subscribers of one event each run their handler once.
    return `${this.queue}#${key}`;
  }
}

function storable(result: unknown): StoredResult {
  if (result === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(result);
  } catch {
    return JSON.stringify({ postboxNote: 'the handler returned a value that is not JSON; it was not stored' });
  }
  if (text === undefined) return undefined;
  return text.length <= MAX_STORED_RESULT_CHARS ? text : JSON.stringify({ postboxNote: `the handler returned ${text.length} characters of JSON; only results up to ${MAX_STORED_RESULT_CHARS} are stored` });
}

function parseStored(result: StoredResult): unknown {
  if (result === undefined) return undefined;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}
