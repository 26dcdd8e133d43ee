import type { TopologyDeclaration } from './topology-declaration.ts';

/**
 * The queues of a topology at the type level, read from what defineTopology
 * captured (subscribers' names, events and handler kinds; command handlers'
 * types and kinds), so that a handler map can be checked against its queue.
 * The same names as naming.ts and resolveTopology give at run time.
 */

type AnyDeclaration = TopologyDeclaration<any, any, any, any, any, any>;
type SubscribersOf<T extends AnyDeclaration> = NonNullable<T['subscribers']>;
type CommandHandlersOf<T extends AnyDeclaration> = NonNullable<T['commandHandlers']>;
type CommandTypeOf<T extends AnyDeclaration> = keyof CommandHandlersOf<T> & string;

/** `commandQueueId` at the type level: `invoice.generate` → `invoice-generate`. */
export type CommandQueueId<CommandType extends string> = CommandType extends `${infer Head}.${infer Tail}`
  ? CommandQueueId<`${Head}-${Tail}`>
  : CommandType extends `${infer Head}_${infer Tail}`
    ? CommandQueueId<`${Head}-${Tail}`>
    : CommandType;

/** The logical name of every queue: a subscriber's name, or a command's queue id. */
export type QueueId<T extends AnyDeclaration> =
  | (keyof SubscribersOf<T> & string)
  | { [C in CommandTypeOf<T>]: CommandQueueId<C> }[CommandTypeOf<T>];

/** The message types that arrive on queue Q. */
export type QueueMessageType<T extends AnyDeclaration, Q extends string> =
  | (Q extends keyof SubscribersOf<T> ? SubscribersOf<T>[Q]['events'][number] : never)
  | { [C in CommandTypeOf<T>]: Q extends CommandQueueId<C> ? C : never }[CommandTypeOf<T>];

type HandlerKind<T extends AnyDeclaration, Q extends string> =
  | (Q extends keyof SubscribersOf<T> ? SubscribersOf<T>[Q]['handler']['kind'] : never)
  | { [C in CommandTypeOf<T>]: Q extends CommandQueueId<C> ? CommandHandlersOf<T>[C]['handler']['kind'] : never }[CommandTypeOf<T>];

/** The queues whose handler is a long-running worker. */
export type WorkerQueueId<T extends AnyDeclaration> = { [Q in QueueId<T>]: HandlerKind<T, Q> extends 'worker' ? Q : never }[QueueId<T>];
