import * as z from 'zod/mini';
import type { MessageKind } from '../messages/envelope.ts';
import { MESSAGE_KIND_ATTRIBUTE, MESSAGE_TYPE_ATTRIBUTE } from '../messages/wire-contract.ts';
import type { MessageType } from '../topology/topology-schema.ts';
import { dataJsonSchema, type JsonSchema } from './event-json-schemas.ts';

/** The one JSON Schema dialect @asyncapi/parser reads besides its own. */
const SCHEMA_FORMAT = 'application/schema+json;version=draft-07';

/** What a message object of an AsyncAPI document is made from. */
export interface AsyncApiMessageInput {
  readonly type: string;
  readonly kind: MessageKind;
  readonly declared: Pick<MessageType, 'schema' | 'version' | 'description'>;
  /** Its `dataschema` URI; undefined when its owner is not known (an external topic known by ARN only). */
  readonly dataSchema: string | undefined;
}

/**
 * The AsyncAPI message of one message type: the body is a CloudEvents 1.0
 * JSON envelope whose `data` has the type's schema; the SNS/SQS message
 * attributes `type` and `kind` are its headers. Every schema is zod's own
 * conversion (draft-07, which the AsyncAPI parser reads) of the zod schemas
 * below, the type's among them.
 */
export function asyncApiMessage({ type, kind, declared, dataSchema }: AsyncApiMessageInput): Record<string, unknown> {
  const nonEmpty = z.string().check(z.minLength(1));
  const envelope = z.object({
    specversion: z.literal('1.0'),
    id: nonEmpty.check(z.describe('Unique per message; a redelivery keeps it.')),
    source: nonEmpty.check(z.describe('Who produced it, as a URI reference.')),
    type: z.literal(type),
    time: z.optional(z.iso.datetime({ offset: true })),
    datacontenttype: z.optional(z.literal('application/json')),
    ...(dataSchema !== undefined && { dataschema: z.optional(z.literal(dataSchema).check(z.describe('The `$id` of the JSON Schema of data.'))) }),
    data: declared.schema,
    kind: z.optional(z.literal(kind)),
    correlationid: z.optional(z.string().check(z.describe('Id shared by every message of one business flow; default: id.'))),
    causationid: z.optional(z.string().check(z.describe('Id of the message that caused this one.'))),
    dataversion: z.optional(
      z.int().check(z.minimum(1), z.maximum(declared.version), z.describe(`Version of the data's schema; consumers take up to ${declared.version}. Default: ${declared.version}.`)),
    ),
  });
  const headers = z.object({
    [MESSAGE_TYPE_ATTRIBUTE]: z.literal(type).check(z.describe('String message attribute: routes the message (subscriptions filter on it) and names the data of a body that is not a CloudEvent.')),
    [MESSAGE_KIND_ATTRIBUTE]: z.optional(z.literal(kind)),
  });
  return {
    name: type,
    title: `${type} v${declared.version}`,
    ...(declared.description !== undefined && { summary: declared.description }),
    description:
      `A CloudEvents 1.0 JSON envelope (structured mode) whose data is the ${kind === 'event' ? 'event' : 'command'}; ` +
      `a producer may instead send the data alone as the body, with the \`${MESSAGE_TYPE_ATTRIBUTE}\` message attribute.`,
    contentType: 'application/json',
    headers: { schemaFormat: SCHEMA_FORMAT, schema: withoutDialect(dataJsonSchema(type, headers, 'draft-07')) },
    payload: { schemaFormat: SCHEMA_FORMAT, schema: withoutDialect(dataJsonSchema(type, envelope, 'draft-07')) },
    correlationId: { description: 'The business flow the message belongs to.', location: '$message.payload#/correlationid' },
  };
}

/** A schema without `$schema`: inside AsyncAPI the schemaFormat says the dialect. */
function withoutDialect(schema: JsonSchema): { [keyword: string]: unknown } {
  const { $schema: _, ...rest } = schema;
  return rest;
}
