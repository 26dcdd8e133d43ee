import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import { idempotent } from '../../lib/runtime/consuming/idempotency/idempotent-handler.ts';
import type { HandlerContext, MessageHandler } from '../../lib/runtime/consuming/handler-context.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import type { EffectLedger } from './effect-ledger.ts';
import { faultFor, type FaultRates } from './fault-plan.ts';

export interface ChaosHandlerSettings {
  readonly seed: string;
  readonly rates: FaultRates;
  readonly ledger: EffectLedger;
  /** Run once per producer key (the queue declares idempotency): the second pass. */
  readonly idempotent?: boolean;
  /**
   * The second pass's ledger: a DynamoDB table that each effect is written to with its message's idempotency
   * record (`writeWithRecord`), in one transaction.
   */
  readonly effectsTable?: string;
}

/** The producer's name of a message: its type and order id, the same across redeliveries and redrives. */
export const messageKey = (type: string, data: unknown) => `${type}:${(data as { orderId: string }).orderId}`;

/** An effect as an item of its own (a new id each time): a message handled twice leaves two. */
function effectItem(tableName: string, queue: string, key: string, attempt: number) {
  const effect = { queue, key, attempt, pid: process.pid, at: Date.now() };
  return { Put: { TableName: tableName, Item: { id: { S: randomUUID() }, effect: { S: JSON.stringify(effect) } } } };
}

/** A hang that lasts until the consumer gives up on the task and aborts its signal, as a well-behaved long task does. */
function hangUntilAborted(context: HandlerContext): Promise<never> {
  return new Promise((_, reject) => {
    const signal = context.signal;
    // Without a signal nothing would end the hang; a minute is far past every time limit of the run.
    const timer = setTimeout(() => reject(new Error('chaos: hang ended by its own timer')), 60_000);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('chaos: hang aborted by the consumer'));
    });
  });
}

/**
 * A handler for every type of a queue: it fails as the fault plan says for
 * this attempt, and otherwise performs its effect, which is to write the
 * idempotency record of the message.
 */
export function chaosHandlers(queue: string, types: readonly string[], settings: ChaosHandlerSettings): Record<string, MessageHandler> {
  const handle: MessageHandler = async (message: Envelope, context) => {
    const key = messageKey(message.type, message.data);
    switch (faultFor(settings.seed, queue, key, context.attempt, settings.rates)) {
      case 'throw':
        throw new Error(`chaos: transient failure of ${key} on attempt ${context.attempt}`);
      case 'unrecoverable':
        throw new UnrecoverableError(`chaos: ${key} can never be handled`, { code: 'CHAOS_UNRECOVERABLE' });
      case 'hang':
        return hangUntilAborted(context);
      case 'none':
        if (settings.effectsTable && context.idempotency) context.idempotency.writeWithRecord(effectItem(settings.effectsTable, queue, key, context.attempt));
        else settings.ledger.record(queue, key, context.attempt);
    }
  };
  // Keyed as the producer knows the message: a plain publish sent again after a failed send is the same message.
  const handler = settings.idempotent ? idempotent(handle, { key: (message) => messageKey(message.type, message.data) }) : handle;
  return Object.fromEntries(types.map((type) => [type, handler]));
}
