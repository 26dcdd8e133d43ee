import * as z from 'zod/mini';

/** Shapes a refused key may belong to instead, each with what such a key is: "a Lambda handler's key". */
export type OtherShapes = () => ReadonlyArray<readonly [what: string, keys: readonly string[]]>;

/**
 * A part of the topology declaration: z.strictObject, whose refusal of an unknown key also says which keys it takes
 * (a misspelt key is then one look from its spelling) and, for a key of another shape (`activeTracing` on a worker),
 * whose key it is.
 */
export function declarationObject<const S extends z.core.$ZodLooseShape>(shape: S, others?: OtherShapes) {
  return z.strictObject(shape, { error: unknownKeysError(Object.keys(shape), others) });
}

/** The error option of a strict object whose keys are `accepted` (zod or zod/mini): see declarationObject. */
export function unknownKeysError(accepted: readonly string[], others?: OtherShapes) {
  return (issue: { readonly code?: string; readonly keys?: readonly string[] }) =>
    issue.code === 'unrecognized_keys' && issue.keys ? unknownKeysMessage(issue.keys, accepted, others?.() ?? []) : undefined;
}

function unknownKeysMessage(keys: readonly string[], accepted: readonly string[], others: ReturnType<OtherShapes>): string {
  const owners = keys.flatMap((key) => {
    const owner = others.find(([, theirs]) => theirs.includes(key));
    return owner ? [`"${key}" is ${owner[0]}`] : [];
  });
  const named = keys.map((key) => `"${key}"`).join(', ');
  return `Unrecognized key${keys.length > 1 ? 's' : ''}: ${named}${owners.length > 0 ? ` (${owners.join('; ')})` : ''}; it takes ${accepted.join(', ')}`;
}
