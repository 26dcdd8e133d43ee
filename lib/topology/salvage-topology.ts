import * as z from 'zod/mini';
import {
  commandHandlerSchema,
  externalTopicSchema,
  messageTypeSchema,
  subscriberSchema,
  topicSchema,
  type MessageType,
  type NormalizedTopology,
} from './topology-schema.ts';

/** The valid part of a declaration, and the names of the entries its schema refused. */
export interface SalvagedTopology {
  readonly topology: NormalizedTopology;
  /** Declared but refused: an event may still have one of them as its topic, a command as its handler. */
  readonly refused: { readonly topics: ReadonlySet<string>; readonly commandHandlers: ReadonlySet<string> };
}

/**
 * What the cross-checks can still read of a declaration its schema refused:
 * every valid topic, subscriber and command handler, parsed alone. Message
 * types count by name only (the checks read no schema). A subscriber of a
 * topic that is declared but refused is left out, so that fixing the topic
 * does not reveal new problems of its subscribers being "unknown".
 */
export function salvageTopology(declaration: unknown): SalvagedTopology {
  const source = isRecord(declaration) ? declaration : {};
  const topics = validEntries(source.topics, topicSchema());
  const externalTopics = validEntries(source.externalTopics, externalTopicSchema());
  const refusedTopics = new Set([
    ...Object.keys(recordOf(source.topics)).filter((id) => !(id in topics)),
    ...Object.keys(recordOf(source.externalTopics)).filter((id) => !(id in externalTopics)),
  ]);
  const subscribers = Object.fromEntries(
    Object.entries(validEntries(source.subscribers, subscriberSchema())).filter(([, subscriber]) => !refusedTopics.has(subscriber.topic)),
  );
  const topology = {
    app: typeof source.app === 'string' ? source.app : '(unnamed)',
    events: namesOnly(source.events),
    commands: namesOnly(source.commands),
    topics,
    externalTopics,
    subscribers,
    commandHandlers: validEntries(source.commandHandlers, commandHandlerSchema()),
  };
  const refusedCommandHandlers = Object.keys(recordOf(source.commandHandlers)).filter((type) => !(type in topology.commandHandlers));
  return { topology, refused: { topics: refusedTopics, commandHandlers: new Set(refusedCommandHandlers) } };
}

function validEntries<Schema extends z.ZodMiniType>(record: unknown, schema: Schema): Record<string, z.output<Schema>> {
  const valid: Record<string, z.output<Schema>> = {};
  for (const [id, value] of Object.entries(recordOf(record))) {
    const parsed = schema.safeParse(value, { jitless: true });
    if (parsed.success) valid[id] = parsed.data;
  }
  return valid;
}

// Named only: the cross-checks ask whether a type exists, never for its schema.
function namesOnly(record: unknown): Record<string, MessageType> {
  const placeholder = messageTypeSchema().parse({ schema: z.unknown() }, { jitless: true });
  return Object.fromEntries(Object.keys(recordOf(record)).map((type) => [type, placeholder]));
}

function recordOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
