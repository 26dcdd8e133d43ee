/** The SNS/SQS message attribute that carries a message's type; filter policies match on it. */
export const MESSAGE_TYPE_ATTRIBUTE = 'type';
/** The message attribute that says whether a message is an `event` or a `command`. */
export const MESSAGE_KIND_ATTRIBUTE = 'kind';

/** An SNS subscription filter policy on message attributes. */
export type FilterPolicy = Record<string, string[]>;

/**
 * The filter policy that lets through only the given event types, matched on
 * the `type` message attribute. A plain SNS `Publish` that sets that attribute
 * is routed exactly like one sent by Postbox's publisher.
 */
export function filterPolicyFor(eventTypes: readonly string[]): FilterPolicy {
  return { [MESSAGE_TYPE_ATTRIBUTE]: [...new Set(eventTypes)].sort() };
}
