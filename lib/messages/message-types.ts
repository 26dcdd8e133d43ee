import type * as z from 'zod/mini';
import type { MessageTypeInput } from '../topology/topology-schema.ts';
import type { TopologyDeclaration } from '../topology/topology-declaration.ts';

/** Any topology declaration, whatever its message types. */
export type AnyTopology = TopologyDeclaration<any, any, any, any, any, any>;

type Declared<T extends AnyTopology> = T['events'] & NonNullable<T['commands']>;

export type EventType<T extends AnyTopology> = keyof T['events'] & string;
export type CommandType<T extends AnyTopology> = keyof NonNullable<T['commands']> & string;
export type MessageTypeName<T extends AnyTopology> = EventType<T> | CommandType<T>;

type SchemaOf<T extends AnyTopology, K extends MessageTypeName<T>> = Declared<T>[K] extends MessageTypeInput
  ? Declared<T>[K]['schema']
  : never;

/** The data a producer passes for message type K (before the schema's defaults and transforms). */
export type MessageInput<T extends AnyTopology, K extends MessageTypeName<T>> = z.input<SchemaOf<T, K>>;
/** The data a handler receives for message type K (after validation). */
export type MessageData<T extends AnyTopology, K extends MessageTypeName<T>> = z.output<SchemaOf<T, K>>;

/** A command whose declaration has a `reply` schema. */
export type RequestType<T extends AnyTopology> = {
  [K in CommandType<T>]: NonNullable<T['commands']>[K] extends { readonly reply: z.core.$ZodType } ? K : never;
}[CommandType<T>];

/** The data a command's handler replies with, as the requester receives it (after validation). */
export type ReplyData<T extends AnyTopology, K extends CommandType<T>> = NonNullable<T['commands']>[K] extends { readonly reply: infer R extends z.core.$ZodType }
  ? z.output<R>
  : never;

/** The data a command's handler replies with, as it returns or passes it to `context.reply`. */
export type ReplyInput<T extends AnyTopology, K extends CommandType<T>> = NonNullable<T['commands']>[K] extends { readonly reply: infer R extends z.core.$ZodType }
  ? z.input<R>
  : never;
