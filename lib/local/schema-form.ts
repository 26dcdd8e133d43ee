/** One input of a message type's form in the console. */
export interface FormField {
  readonly name: string;
  /** `text` and `number` are typed in; `choice` picks one of `options` (an enum, a constant, true or false). */
  readonly input: 'text' | 'number' | 'choice';
  readonly required: boolean;
  readonly options?: readonly (string | number | boolean)[];
  /** What the schema asks of the value, in a few words (`at least 1 character`, `a whole number ≥ 0`). */
  readonly hint: string;
}

type JsonSchema = { readonly [key: string]: unknown };

const scalarTypes = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * The fields of a form for a message type, one per property, when its JSON Schema (zod's own export of it) is an
 * object of strings, numbers, booleans and enums; undefined for any other shape (nested objects, lists, unions,
 * nullable values), which the console edits as JSON instead. Only a form: the server validates with the schema itself.
 */
export function formFields(schema: JsonSchema | undefined): FormField[] | undefined {
  if (schema?.type !== 'object' || !isSchema(schema.properties)) return undefined;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const fields: FormField[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const field = isSchema(property) ? fieldOf(name, property, required.has(name)) : undefined;
    if (!field) return undefined;
    fields.push(field);
  }
  return fields;
}

function fieldOf(name: string, property: JsonSchema, required: boolean): FormField | undefined {
  const { type } = property;
  if (typeof type !== 'string' || !scalarTypes.has(type)) return undefined;
  const choices = Array.isArray(property.enum) ? property.enum : 'const' in property ? [property.const] : type === 'boolean' ? [true, false] : undefined;
  if (choices) {
    if (!choices.every((choice) => ['string', 'number', 'boolean'].includes(typeof choice))) return undefined;
    return { name, input: 'choice', required, options: choices as FormField['options'], hint: required ? 'pick one' : 'pick one, or leave it unset' };
  }
  return { name, input: type === 'string' ? 'text' : 'number', required, hint: hintOf(type, property) };
}

function hintOf(type: string, property: JsonSchema): string {
  const words: string[] = [type === 'integer' ? 'a whole number' : type === 'number' ? 'a number' : 'text'];
  const { minLength, maxLength, minimum, maximum, format, pattern } = property as Record<string, unknown>;
  if (minLength !== undefined && minLength === maxLength) words.push(`of exactly ${minLength} character${minLength === 1 ? '' : 's'}`);
  else {
    if (typeof minLength === 'number' && minLength > 0) words.push(`of at least ${minLength} character${minLength === 1 ? '' : 's'}`);
    if (typeof maxLength === 'number') words.push(`of at most ${maxLength} characters`);
  }
  if (typeof minimum === 'number') words.push(`≥ ${minimum}`);
  // zod writes the safe-integer bound on every integer: not worth saying.
  if (typeof maximum === 'number' && maximum < Number.MAX_SAFE_INTEGER) words.push(`≤ ${maximum}`);
  if (typeof format === 'string') words.push(`(${format})`);
  if (typeof pattern === 'string') words.push(`matching ${pattern}`);
  return words.join(' ');
}

function isSchema(node: unknown): node is JsonSchema {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}
