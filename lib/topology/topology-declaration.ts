import type { ExternalTopicDeclaration } from './external-topic-declaration.ts';
import type { IdempotencyInput } from './idempotency-declaration.ts';
import type { TopicDeclaration } from './topic-declaration.ts';
import type { HandlerInput, MessageTypeInput, QueueSettingsInput } from './topology-schema.ts';

export type { ExternalTopicDeclaration } from './external-topic-declaration.ts';
export type { TopicDeclaration } from './topic-declaration.ts';

/**
 * The shape of a topology declaration: what a team writes once to say which
 * messages exist, where they travel and who handles them. Plain data, no AWS.
 * Typed by hand so the compiler can check that a subscriber only names events
 * that exist; its leaf settings are the input types of topology-schema.ts.
 */

/** A named consumer of some event types of one topic. */
export interface SubscriberDeclaration<EventName extends string, TopicName extends string> {
  /** Topic the subscriber listens to. */
  readonly topic: TopicName;
  /** Event types it wants; its subscription's filter policy lets only these through. */
  readonly events: readonly EventName[];
  /** Lambda function or long-running worker that handles them. */
  readonly handler: HandlerInput;
  /**
   * Settings of its queue and dead-letter queue.
   * @default maxReceiveCount 5, backoff 5 s doubling to 900 s, visibility derived from the handler
   */
  readonly queue?: QueueSettingsInput;
  /**
   * Run each message's handler once: a record per message in the stage's idempotency table (DynamoDB) makes a
   * second delivery of a handled message an acknowledgement without a call. `{}` takes the defaults.
   * @default none: at-least-once delivery reaches the handler as it comes
   */
  readonly idempotency?: IdempotencyInput;
  /**
   * The nested stack its resources go to when the MessagingStack splits into groups (its `stackGroups` prop):
   * name one to keep related handlers together or to move one out of a full group.
   * @default a stable hash bucket of its name, which adding or removing other handlers never changes
   */
  readonly stackGroup?: string;
}

/** The handler, and so the queue, of one command type. */
export interface CommandHandlerDeclaration {
  /** Lambda function or long-running worker that handles the command. */
  readonly handler: HandlerInput;
  /**
   * Settings of its queue and dead-letter queue.
   * @default maxReceiveCount 5, backoff 5 s doubling to 900 s, visibility derived from the handler
   */
  readonly queue?: QueueSettingsInput;
  /**
   * Run each message's handler once: a record per message in the stage's idempotency table (DynamoDB) makes a
   * second delivery of a handled message an acknowledgement without a call. `{}` takes the defaults.
   * @default none: at-least-once delivery reaches the handler as it comes
   */
  readonly idempotency?: IdempotencyInput;
  /**
   * The nested stack its resources go to when the MessagingStack splits into groups (its `stackGroups` prop):
   * name one to keep related handlers together or to move one out of a full group.
   * @default a stable hash bucket of its name, which adding or removing other handlers never changes
   */
  readonly stackGroup?: string;
}

/** Subscribers keyed by name. */
export type SubscriberDeclarations<EventName extends string = string, TopicName extends string = string> = Readonly<
  Record<string, SubscriberDeclaration<EventName, TopicName>>
>;

/** One handler per command type. */
export type CommandHandlerDeclarations<CommandName extends string = string> = { readonly [K in CommandName]: CommandHandlerDeclaration };

/**
 * Everything a team declares about its messages. Its type parameters keep the
 * names (and, through defineTopology, the subscribers' events and handler
 * kinds) so that handler maps can be checked per queue.
 */
export interface TopologyDeclaration<
  Events extends Record<string, MessageTypeInput> = Record<string, MessageTypeInput>,
  Commands extends Record<string, MessageTypeInput> = Record<string, MessageTypeInput>,
  Topics extends string = string,
  ExternalTopics extends string = string,
  Subscribers extends SubscriberDeclarations<keyof Events & string, Topics | ExternalTopics> = SubscriberDeclarations<keyof Events & string, Topics | ExternalTopics>,
  CommandHandlers extends CommandHandlerDeclarations<keyof Commands & string> = CommandHandlerDeclarations<keyof Commands & string>,
> {
  /** Application name: the first part of every resource name (lower-case letters, digits, hyphens). */
  readonly app: string;
  /** Integration events, keyed by type (`order.placed`). */
  readonly events: Events;
  /**
   * Commands, keyed by type (`invoice.generate`).
   * @default none
   */
  readonly commands?: Commands;
  /** SNS topics that carry the events, keyed by name. */
  readonly topics: Record<Topics, TopicDeclaration<keyof Events & string>>;
  /**
   * Other services' topics this service subscribes to, keyed by a name its subscribers use as their `topic`.
   * @default none
   */
  readonly externalTopics?: Record<ExternalTopics, ExternalTopicDeclaration<keyof Events & string>>;
  /**
   * Subscribers of events, keyed by name; each gets its own queue.
   * @default none
   */
  readonly subscribers?: Subscribers;
  /**
   * Handlers of commands, keyed by command type; each gets its own queue.
   * @default none
   */
  readonly commandHandlers?: CommandHandlers & { readonly [K in Exclude<keyof CommandHandlers, keyof Commands>]: never };
}
