import type { MessageTypeInput } from './topology-schema.ts';
import type { CommandHandlerDeclarations, SubscriberDeclarations, TopologyDeclaration } from './topology-declaration.ts';

/**
 * Declares a topology with full type checking of the names it ties together
 * (a subscriber may only name declared events, and topics or external topics). Its type keeps each
 * queue's message types and handler kind, so that createSqsHandler and
 * defineWorkers check a handler map against its queue. It only types the
 * declaration; {@link resolveTopology} validates it for a stage.
 *
 * @example
 * import * as z from 'zod';
 * import { defineTopology } from 'postbox';
 *
 * export const shopTopology = defineTopology({
 *   app: 'shop',
 *   events: { 'order.placed': { schema: z.object({ orderId: z.string() }) } },
 *   commands: { 'invoice.generate': { schema: z.object({ orderId: z.string() }) } },
 *   topics: { orders: { events: ['order.placed'] } },
 *   subscribers: {
 *     notifications: { topic: 'orders', events: ['order.placed'], handler: { kind: 'lambda', entry: 'functions/notifications.ts' } },
 *   },
 *   commandHandlers: { 'invoice.generate': { handler: { kind: 'worker', timeoutSeconds: 600 } } },
 * });
 */
export function defineTopology<
  const Events extends Record<string, MessageTypeInput>,
  const Commands extends Record<string, MessageTypeInput> = Record<never, MessageTypeInput>,
  const Topics extends string = string,
  const ExternalTopics extends string = never,
  const Subscribers extends SubscriberDeclarations<keyof Events & string, Topics | ExternalTopics> = Record<never, never>,
  const CommandHandlers extends CommandHandlerDeclarations<keyof Commands & string> = CommandHandlerDeclarations<keyof Commands & string>,
>(
  declaration: TopologyDeclaration<Events, Commands, Topics, ExternalTopics, Subscribers, CommandHandlers>,
): TopologyDeclaration<Events, Commands, Topics, ExternalTopics, Subscribers, CommandHandlers> {
  return declaration;
}
