import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { safeParse, toJSONSchema } from 'zod/mini';
import type { AnyTopology } from '../messages/message-types.ts';
import { PostboxError } from '../postbox-error.ts';
import { Publisher } from '../runtime/publishing/publisher.ts';
import { topicOfEvent, type ResolvedTopology } from '../topology/resolve-topology.ts';
import type { MessageSchema } from '../topology/topology-schema.ts';
import { formFields, type FormField } from './schema-form.ts';

/** The `source` of what the console publishes: consumers see where a message came from. */
export const CONSOLE_SOURCE = 'postbox-console';

/** A message type the console can publish (an event) or send (a command), and how to fill it in. */
export interface PublishableType {
  readonly type: string;
  readonly kind: 'event' | 'command';
  readonly description: string | null;
  /** The topic an event goes to, or the queue a command goes to. */
  readonly destination: string;
  /** zod's JSON Schema of the data (its input); null when zod cannot write one. */
  readonly schema: object | null;
  /** A field per property for a flat object; null: the data is edited as JSON. */
  readonly fields: readonly FormField[] | null;
}

/** One way the data does not match its type's schema: at which field (dotted path; `(data)` for the whole). */
export interface DataIssue {
  readonly field: string;
  readonly message: string;
}

/** The data given for a message type does not match its schema: nothing was published. */
export class MessageDataError extends PostboxError {
  readonly code = 'INVALID_MESSAGE_DATA';

  constructor(
    readonly messageType: string,
    readonly issues: readonly DataIssue[],
  ) {
    super(`${messageType} was not published: its data does not match its schema (${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}); correct it and publish again`);
  }
}

/** The console was asked to publish a type no service here publishes or sends. */
export class NotPublishableError extends PostboxError {
  readonly code = 'NOT_PUBLISHABLE';

  constructor(type: string, known: readonly string[]) {
    super(`no service of this local system publishes or sends '${type}'; the types it can are: ${known.join(', ') || 'none'}`);
  }
}

interface Service {
  readonly declaration: AnyTopology;
  readonly topology: ResolvedTopology;
}

interface Entry {
  readonly described: PublishableType;
  readonly schema: MessageSchema;
  readonly service: Service;
}

/**
 * Publishes events and sends commands for the console, with each owning service's own Publisher (the one the
 * app uses): what leaves is exactly what the app would publish. The data is checked with the type's schema first,
 * so that each problem is told with its field.
 */
export class LocalPublishing {
  private readonly entries = new Map<string, Entry>();
  private readonly publishers = new Map<Service, Publisher<AnyTopology>>();

  constructor(
    services: readonly Service[],
    private readonly clients: { readonly sns: SNSClient; readonly sqs: SQSClient },
  ) {
    for (const service of services) {
      const { topology } = service;
      for (const [type, declared] of Object.entries(topology.events)) {
        const topic = topicOfEvent(topology, type);
        if (topic) this.add(type, 'event', topic.name, declared, service);
      }
      for (const [type, declared] of Object.entries(topology.commands)) {
        const queue = topology.queues.find((candidate) => candidate.role === 'command' && candidate.messageTypes.includes(type));
        if (queue) this.add(type, 'command', queue.name, declared, service);
      }
    }
  }

  types(): PublishableType[] {
    return [...this.entries.values()].map((entry) => entry.described);
  }

  /** Validates, then publishes the event or sends the command; throws MessageDataError naming each field at fault. */
  async publish(type: string, data: unknown): Promise<{ readonly id: string; readonly messageId: string | undefined; readonly kind: 'event' | 'command' }> {
    const entry = this.entries.get(type);
    if (!entry) throw new NotPublishableError(type, [...this.entries.keys()]);
    const result = safeParse(entry.schema, data);
    if (!result.success) {
      throw new MessageDataError(type, result.error.issues.map((issue) => ({ field: issue.path.length > 0 ? issue.path.join('.') : '(data)', message: issue.message })));
    }
    const publisher = this.publisherOf(entry.service);
    const { kind } = entry.described;
    // The Publisher takes the caller's data, not the parsed copy: it applies the schema's defaults and transforms itself.
    const sent = kind === 'event' ? await publisher.publish(type as never, data as never) : await publisher.send(type as never, data as never);
    return { id: sent.id, messageId: sent.messageId, kind };
  }

  private add(type: string, kind: 'event' | 'command', destination: string, declared: { schema: MessageSchema; description?: string }, service: Service): void {
    if (this.entries.has(type)) return;
    const schema = jsonSchemaOf(declared.schema);
    const fields = formFields(schema);
    this.entries.set(type, {
      described: { type, kind, description: declared.description ?? null, destination, schema: schema ?? null, fields: fields ?? null },
      schema: declared.schema,
      service,
    });
  }

  private publisherOf(service: Service): Publisher<AnyTopology> {
    let publisher = this.publishers.get(service);
    if (!publisher) {
      publisher = new Publisher(service.declaration, { stage: service.topology.stage, source: CONSOLE_SOURCE, sns: this.clients.sns, sqs: this.clients.sqs });
      this.publishers.set(service, publisher);
    }
    return publisher;
  }
}

/** zod's own JSON Schema of what a producer passes (the schema's input); undefined where zod cannot write one. */
function jsonSchemaOf(schema: MessageSchema): Record<string, unknown> | undefined {
  try {
    // A plain copy, without zod's Standard Schema hooks (not enumerable, and not JSON).
    return { ...toJSONSchema(schema as never, { io: 'input', unrepresentable: 'any' }) };
  } catch {
    return undefined;
  }
}
