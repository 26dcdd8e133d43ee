import { toJSONSchema } from 'zod/mini';
import type { core } from 'zod/mini';
import { dataSchemaUri } from '../messages/data-schema-uri.ts';
import type { ResolvedTopology } from '../topology/resolved-topology.ts';
import { SchemaExportError } from './schema-export-error.ts';

/** A JSON Schema document, as plain JSON data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** The JSON Schema dialects Postbox writes: 2020-12 for the contract files, draft-07 inside AsyncAPI (its parser's). */
export type JsonSchemaTarget = 'draft-2020-12' | 'draft-07';

/** One event of a service's contract, with the JSON Schema of its data. */
export interface EventJsonSchema {
  readonly type: string;
  readonly version: number;
  /** The schema's `$id`, and the `dataschema` of every envelope of this event and version. */
  readonly id: string;
  /** `<type>.v<version>.schema.json` */
  readonly fileName: string;
  readonly schema: JsonSchema;
}

/**
 * The events a service's own topics carry (its contract: never commands, nor
 * the events of external topics it subscribes to), each with the JSON Schema
 * of its data (draft 2020-12), for services not written in TypeScript.
 *
 * @throws SchemaExportError when an event's schema cannot be written as JSON Schema
 */
export function eventJsonSchemas(topology: Pick<ResolvedTopology, 'app' | 'events' | 'topics'>): EventJsonSchema[] {
  return topology.topics
    .flatMap((topic) => topic.events)
    .map((type) => {
      const declared = topology.events[type]!;
      const id = dataSchemaUri(topology.app, type, declared.version);
      const { $schema, ...schema } = dataJsonSchema(type, declared.schema, 'draft-2020-12');
      return {
        type,
        version: declared.version,
        id,
        fileName: `${type}.v${declared.version}.schema.json`,
        schema: { $schema, $id: id, title: type, ...(declared.description !== undefined && { description: declared.description }), ...schema },
      };
    });
}

/**
 * The JSON Schema of a message type's data, by zod's own conversion. It is the
 * schema's input: what a consumer accepts, and so what any producer must send
 * (a Postbox publisher sends the output, which passes it). Objects stay open to
 * fields the schema does not name, as zod's parse is: a producer may add a field
 * before its consumers read it.
 *
 * @param type the message type, for the error
 * @throws SchemaExportError when the schema cannot be written as JSON Schema
 */
export function dataJsonSchema(type: string, schema: core.$ZodType, target: JsonSchemaTarget): JsonSchema {
  try {
    // A plain copy, without zod's Standard Schema hooks (not enumerable, and not JSON).
    return { ...toJSONSchema(schema, { target, io: 'input' }) };
  } catch (error) {
    throw new SchemaExportError(type, (error as Error).message, { cause: error });
  }
}
