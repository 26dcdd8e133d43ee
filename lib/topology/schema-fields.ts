import { toJSONSchema } from 'zod/mini';
import type { MessageSchema } from './topology-schema.ts';

/** The fields a schema names, read from zod's own JSON Schema of it. */
export interface SchemaFields {
  /** Dotted paths of every field (`customer.id`); `[]` steps into a list's items, `*` into a record's values. */
  readonly fields: ReadonlySet<string>;
  /** Paths whose schema takes any value (`z.unknown()`, or what JSON Schema cannot say): nothing below them is known. */
  readonly open: ReadonlySet<string>;
}

// What makes a JSON Schema say something about its value; one with none of these (`{}`) takes anything.
const structural = ['type', 'properties', 'items', 'prefixItems', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', '$ref', 'const', 'enum'];

type JsonSchema = { readonly [key: string]: unknown };

/**
 * The fields of a message schema, for comparing what a subscriber reads with what a publisher sends. Goes through
 * lists, records, unions, intersections and nullable or optional values; a recursive schema is followed once.
 * `undefined` when zod cannot convert the schema.
 */
export function schemaFields(schema: MessageSchema): SchemaFields | undefined {
  let root: JsonSchema;
  try {
    root = toJSONSchema(schema as never, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  } catch {
    return undefined;
  }
  const fields = new Set<string>();
  const open = new Set<string>();
  const walk = (node: unknown, path: string, refs: readonly string[]): void => {
    if (node === true || (isSchema(node) && !structural.some((key) => key in node))) open.add(path);
    if (!isSchema(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string' && !refs.includes(ref)) walk(resolveRef(root, ref), path, [...refs, ref]);
    for (const [name, child] of Object.entries((node.properties ?? {}) as JsonSchema)) {
      const field = path ? `${path}.${name}` : name;
      fields.add(field);
      walk(child, field, refs);
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      for (const branch of asArray(node[key])) walk(branch, path, refs);
    }
    for (const item of [node.items, ...asArray(node.prefixItems)]) walk(item, `${path}[]`, refs);
    walk(node.additionalProperties, path ? `${path}.*` : '*', refs);
  };
  walk(root, '', []);
  return { fields, open };
}

/** The fields a subscriber reads that the publisher's schema does not have, the uppermost of each gone branch only. */
export function fieldsGone(read: SchemaFields, sent: SchemaFields): string[] {
  const within = (field: string, path: string) => path === '' || field.startsWith(`${path}.`) || field.startsWith(`${path}[]`);
  const gone: string[] = [];
  for (const field of read.fields) {
    if (sent.fields.has(field) || [...sent.open].some((path) => within(field, path)) || gone.some((path) => within(field, path))) continue;
    gone.push(field);
  }
  return gone;
}

function isSchema(node: unknown): node is JsonSchema {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A local reference (`#`, `#/$defs/__schema0`), the only kind zod writes. */
function resolveRef(root: JsonSchema, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  return ref
    .slice(1)
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((node, key) => (isSchema(node) ? node[key.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined), root);
}
