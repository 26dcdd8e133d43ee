import type { MessageTypeInput, TopologyDeclaration } from './topology-declaration.ts';

/**
 * Declares a topology with full type checking of the names it ties together
 * (a subscriber may only name declared events and topics). It only types the
 * declaration; {@link resolveTopology} validates it for a stage.
 */
export function defineTopology<
  const Events extends Record<string, MessageTypeInput>,
  const Commands extends Record<string, MessageTypeInput> = Record<never, MessageTypeInput>,
  const Topics extends string = string,
>(declaration: TopologyDeclaration<Events, Commands, Topics>): TopologyDeclaration<Events, Commands, Topics> {
  return declaration;
}
