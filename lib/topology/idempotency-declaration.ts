import * as z from 'zod/mini';
import { declarationObject } from './declaration-object.ts';

/** A year: a record kept longer than that protects against nothing SQS or SNS would still deliver. */
export const MAX_IDEMPOTENCY_LIFETIME_SECONDS = 31_536_000;

/**
 * A queue whose handlers run once per message: Postbox keeps a record of each handled message (by its key)
 * in the stage's idempotency table, and acknowledges a second delivery of it without calling the handler.
 * The key is the envelope id unless the handler map gives one (`idempotent(handler, { key })`).
 */
export const idempotencySchema = declarationObject({
  /**
   * How long a handled message's record is kept, in seconds: a duplicate delivered later than that runs again.
   * A day covers SNS and SQS redeliveries and a producer's retries; raise it to cover a DLQ redrive days later.
   */
  lifetimeSeconds: z._default(z.int().check(z.minimum(60), z.maximum(MAX_IDEMPOTENCY_LIFETIME_SECONDS)), 86_400),
});

export type IdempotencyInput = z.input<typeof idempotencySchema>;
export type IdempotencySettings = z.output<typeof idempotencySchema>;
