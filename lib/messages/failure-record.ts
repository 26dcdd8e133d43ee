/**
 * The record Postbox keeps on a message it dead-letters itself: why it failed,
 * where, and which message it was on its source queue. It travels as
 * `postbox.*` message attributes on the DLQ copy; when the producer's own
 * attributes leave no room for one attribute per field (SQS allows 10), the
 * whole record travels as JSON in the one attribute `postbox.failure`.
 */
export interface FailureRecord {
  readonly errorCode: string;
  readonly errorMessage: string;
  /** `<queue>/<message type>`: who failed. */
  readonly handler: string;
  /** Attempts on the source queue, the failed one included. */
  readonly attempt: number;
  /** ISO 8601. */
  readonly failedAt: string;
  /** The SQS message id on the source queue; copies of one message share it. */
  readonly sourceMessageId: string;
}

/** The attribute of each field, and `record` for the whole record as JSON. */
export const FAILURE_ATTRIBUTES = {
  errorCode: 'postbox.errorCode',
  errorMessage: 'postbox.errorMessage',
  handler: 'postbox.handler',
  attempt: 'postbox.attempt',
  failedAt: 'postbox.failedAt',
  sourceMessageId: 'postbox.sourceMessageId',
  record: 'postbox.failure',
} as const;

/** Every attribute Postbox owns starts with this; a producer's never should. */
export const POSTBOX_ATTRIBUTE_PREFIX = 'postbox.';

/**
 * What a dead-lettered message says of its failure, from either form; the
 * fields it does not carry are absent (a message the redrive policy moved
 * carries none: it failed by crash or timeout, not in a handler).
 */
export function readFailureRecord(attributes: Readonly<Record<string, string | undefined>>): Partial<FailureRecord> {
  const json = attributes[FAILURE_ATTRIBUTES.record];
  let fromJson: Partial<Record<keyof FailureRecord, unknown>> = {};
  if (json !== undefined) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (parsed && typeof parsed === 'object') fromJson = parsed as typeof fromJson;
    } catch {
      // A producer's malformed attribute of that name is no record: fall back to the separate attributes.
    }
  }
  const text = (field: Exclude<keyof FailureRecord, 'attempt'>) => {
    const value = fromJson[field] ?? attributes[FAILURE_ATTRIBUTES[field]];
    return typeof value === 'string' ? value : undefined;
  };
  const attempt = Number(fromJson.attempt ?? attributes[FAILURE_ATTRIBUTES.attempt]);
  const record = {
    errorCode: text('errorCode'),
    errorMessage: text('errorMessage'),
    handler: text('handler'),
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
    failedAt: text('failedAt'),
    sourceMessageId: text('sourceMessageId'),
  };
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<FailureRecord>;
}
