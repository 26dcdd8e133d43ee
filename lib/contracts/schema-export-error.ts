import { PostboxError } from '../postbox-error.ts';

/** A message type's zod schema has a part JSON Schema cannot say (a date, a bigint, a custom check, a transform alone). */
export class SchemaExportError extends PostboxError {
  readonly code = 'SCHEMA_NOT_EXPORTABLE';

  constructor(
    readonly messageType: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `The schema of '${messageType}' cannot be written as JSON Schema (${reason}); ` +
        'a message travels as JSON, so give its schema JSON types only (strings for dates, numbers or strings for big integers)',
      options,
    );
  }
}
