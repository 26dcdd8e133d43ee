import type { Envelope } from '../../../messages/envelope.ts';
import type { MessageHandler } from '../handler-context.ts';

/** How one message type's handler runs once per message, beyond its queue's `idempotency` in the topology. */
export interface IdempotentOptions<Data = unknown> {
  /**
   * The message's idempotency key: two messages of this type with one key are one message (keys are kept per
   * queue and type, so another type's message with the same key still runs). Give the producer's own id
   * when a producer may send one thing twice as two messages (a plain SNS publish sent again).
   * @default the envelope id (a plain publish's SQS message id)
   */
  readonly key?: (message: Envelope<Data>) => string;
  /**
   * Seconds the record of a handled message is kept.
   * @default the queue's `idempotency.lifetimeSeconds`
   */
  readonly lifetimeSeconds?: number;
}

const IDEMPOTENT = Symbol.for('postbox.idempotent');

type MarkedHandler = MessageHandler<any> & { readonly [IDEMPOTENT]?: IdempotentOptions<any> };

/**
 * Marks a handler of the handler map idempotent with its own key or lifetime. Its queue must declare
 * `idempotency` in the topology, which provisions the table and its grants.
 *
 * @example
 * 'order.placed': idempotent(reserveStock, { key: (message) => message.data.orderId })
 */
export function idempotent<Data>(handler: MessageHandler<Data>, options: IdempotentOptions<Data> = {}): MessageHandler<Data> {
  const marked: MessageHandler<Data> = (message, context) => handler(message, context);
  return Object.assign(marked, { [IDEMPOTENT]: options });
}

/** The options `idempotent` gave a handler, if it did. */
export function idempotentOptionsOf(handler: unknown): IdempotentOptions<any> | undefined {
  return (handler as MarkedHandler | undefined)?.[IDEMPOTENT];
}
