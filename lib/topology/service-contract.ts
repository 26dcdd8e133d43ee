import type { MessageTypeInput } from './topology-schema.ts';
import type { TopologyDeclaration } from './topology-declaration.ts';

/** One topic of a service's contract: what it carries and who may subscribe from other accounts. */
export interface ContractTopic<EventName extends string = string> {
  readonly fifo: boolean;
  readonly events: readonly EventName[];
  /** Accounts and organizations allowed to subscribe from another account (the topic's `allowSubscribers`). */
  readonly allowSubscribers: readonly string[];
}

/**
 * What a service promises the services that subscribe to its events: its topics, the events they carry with
 * their schemas and versions, and the stages it deploys. Made by {@link contractOf} from the service's own
 * topology, exported from one module (or package), and named by a subscriber's `externalTopics[...].contract`.
 */
export interface ServiceContract<Events extends Record<string, MessageTypeInput> = Record<string, MessageTypeInput>> {
  /** The publishing service's app name. */
  readonly service: string;
  /** Stages the service deploys; a subscriber's stage must be one of them. `undefined`: any stage. */
  readonly stages?: readonly string[];
  readonly topics: Readonly<Record<string, ContractTopic<keyof Events & string>>>;
  /** The events its topics carry (never its commands), with their schemas and versions. */
  readonly events: Events;
}

export interface ContractOptions {
  /**
   * Stages the service deploys, so that a subscriber naming another fails at its synthesis.
   * @default any stage
   */
  readonly stages?: readonly string[];
}

type CarriedEvents<T extends TopologyDeclaration<any, any, any, any, any, any>> = {
  [K in T['topics'][keyof T['topics']]['events'][number] & keyof T['events']]: T['events'][K];
};

/**
 * The contract of a service, from its topology: its topics and the events they carry, typed, so that a
 * subscriber spreads `contract.events` into its own `events` and its handlers are typed by them.
 *
 * @example
 * // orders-contract.ts, the one module other services import
 * export const ordersContract = contractOf(ordersTopology, { stages: ['local', 'dev', 'prod'] });
 */
export function contractOf<const T extends TopologyDeclaration<any, any, any, any, any, any>>(
  topology: T,
  options: ContractOptions = {},
): ServiceContract<CarriedEvents<T>> {
  const topics: Record<string, ContractTopic> = {};
  const events: Record<string, MessageTypeInput> = {};
  for (const [id, topic] of Object.entries(topology.topics as Record<string, { events: readonly string[]; fifo?: boolean; allowSubscribers?: readonly string[] }>)) {
    topics[id] = { fifo: topic.fifo ?? false, events: [...topic.events], allowSubscribers: [...(topic.allowSubscribers ?? [])] };
    for (const type of topic.events) {
      const declared = (topology.events as Record<string, MessageTypeInput>)[type];
      if (declared) events[type] = declared;
    }
  }
  return { service: topology.app, ...(options.stages && { stages: [...options.stages] }), topics, events: events as CarriedEvents<T> };
}
