import type { Envelope } from '../../../messages/envelope.ts';
import type { ResolvedIdempotency } from '../../../topology/resolved-topology.ts';
import type { Logger } from '../../observability/logger.ts';
import {
  IdempotencyCommitError,
  IdempotencyEffectsUnsupportedError,
  IdempotencyInProgressError,
  IdempotencyKeyError,
  IdempotencyStoreUnavailableError,
} from './idempotency-errors.ts';
import type { ClaimOutcome, IdempotencyClaim, IdempotencyStore, RecordEffect, StoredResult } from './idempotency-store.ts';
import type { IdempotentOptions } from './idempotent-handler.ts';

/** What a handler of an idempotent queue sees of its message's record (`context.idempotency`). */
export interface IdempotencyContext {
  /** The message's idempotency key, as stored: `<queue>#<envelope id>`, or `<queue>#<type>#<key>` for a key function's. */
  readonly key: string;
  /**
   * Writes `effect` in the same transaction that marks the message handled, once the handler returns: the
   * write happens exactly once, however often the message is delivered, even when the consumer dies right
   * after the handler. A DynamoDB `TransactWriteItem` with the DynamoDB store (up to 99 a message). If the
   * transaction fails, nothing is written and the message is retried.
   */
  writeWithRecord(effect: RecordEffect): void;
}

/** Writes of one transaction besides the record: DynamoDB takes 100 items at most. */
const MAX_EFFECTS = 99;

/** What became of a guarded message: its handler ran, or an earlier delivery had handled it already. */
export type GuardedRun = { readonly ran: true } | { readonly ran: false; readonly key: string; readonly storedResult: unknown };

/** A stored result larger than this is replaced by a note: a DynamoDB item holds 400 KB at most. */
const MAX_STORED_RESULT_CHARS = 64 * 1024;

/** DynamoDB's limit on a partition key: a longer key could never be written, so retrying it would only delay the DLQ. */
const MAX_KEY_BYTES = 2048;

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

  async run(messageId: string, envelope: Envelope, handle: (idempotency: IdempotencyContext) => unknown): Promise<GuardedRun> {
    const key = this.keyOf(messageId, envelope);
    let claimed: ClaimOutcome;
    try {
      claimed = await this.store.claim(key, this.settings.leaseSeconds);
    } catch (error) {
      throw new IdempotencyStoreUnavailableError(messageId, key, this.store.description, error);
    }
    if (claimed.status === 'completed') return { ran: false, key, storedResult: parseStored(claimed.result) };
    if (claimed.status === 'in-progress') throw new IdempotencyInProgressError(messageId, key, claimed.leaseUntil);
    const effects: RecordEffect[] = [];
    const context: IdempotencyContext = {
      key,
      writeWithRecord: (effect) => {
        if (effects.length >= MAX_EFFECTS) throw new RangeError(`A message may write at most ${MAX_EFFECTS} items with its idempotency record; '${key}' asked for more.`);
        effects.push(effect);
      },
    };
    let result: unknown;
    try {
      result = await handle(context);
    } catch (error) {
      await this.release(messageId, claimed.claim);
      throw error;
    }
    const lifetimeSeconds = this.optionsByType[envelope.type]?.lifetimeSeconds ?? this.settings.lifetimeSeconds;
    if (effects.length === 0) await this.complete(messageId, claimed.claim, storable(result), lifetimeSeconds);
    else await this.commit(messageId, claimed.claim, storable(result), lifetimeSeconds, effects);
    return { ran: true };
  }

  /**
   * Completes the record with the handler's writes, all or nothing. Unlike a completion alone, one that cannot
   * be written fails the message: none of its writes happened, so its retry must run.
   */
  private async commit(messageId: string, claim: IdempotencyClaim, result: StoredResult, lifetimeSeconds: number, effects: readonly RecordEffect[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await this.store.complete(claim, result, lifetimeSeconds, effects))) {
          this.logger.warn('another attempt took over the idempotency record after its lease ran out; this attempt wrote nothing, the other commits its writes', {
            messageId,
            idempotencyKey: claim.key,
          });
        }
        return;
      } catch (error) {
        // A store that cannot commit writes says so in its own error: trying again cannot change it.
        if (attempt >= COMPLETE_TRIES || error instanceof IdempotencyEffectsUnsupportedError) {
          await this.release(messageId, claim);
          if (error instanceof IdempotencyEffectsUnsupportedError) throw error;
          throw new IdempotencyCommitError(messageId, claim.key, this.store.description, effects.length, error);
        }
        await this.sleep(100 * 2 ** attempt);
      }
    }
  }

  private async release(messageId: string, claim: IdempotencyClaim): Promise<void> {
    await this.store.release(claim).catch((error: unknown) =>
      this.logger.warn('could not release the idempotency record of a failed message; its retry waits for the lease to run out', {
        messageId,
        idempotencyKey: claim.key,
        leaseSeconds: this.settings.leaseSeconds,
        error,
      }),
    );
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
    const key = this.unboundedKeyOf(messageId, envelope);
    const bytes = Buffer.byteLength(key);
    if (bytes > MAX_KEY_BYTES) {
      throw new IdempotencyKeyError(messageId, envelope.type, `gave a key of ${bytes} bytes with its queue and type, over the ${MAX_KEY_BYTES} a DynamoDB key holds; key by a shorter value (an id, or a hash of the long one)`);
    }
    return key;
  }

  private unboundedKeyOf(messageId: string, envelope: Envelope): string {
    const keyOf = this.optionsByType[envelope.type]?.key;
    if (!keyOf) return `${this.queue}#${envelope.id}`;
    let key: unknown;
    try {
      key = keyOf(envelope);
    } catch (error) {
      throw new IdempotencyKeyError(messageId, envelope.type, `threw (${(error as Error)?.message ?? String(error)})`, error);
    }
    if (typeof key !== 'string' || key.length === 0) throw new IdempotencyKeyError(messageId, envelope.type, `returned ${JSON.stringify(key) ?? 'undefined'}, not a non-empty string`);
    // Per queue: two subscribers of one event each run their handler once. Per type: a key function that gives two
    // types the same key (an order id) must not acknowledge the second type's message unrun as handled before.
    return `${this.queue}#${envelope.type}#${key}`;
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
