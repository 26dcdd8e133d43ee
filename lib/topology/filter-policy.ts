import { MESSAGE_TYPE_ATTRIBUTE } from '../messages/wire-contract.ts';

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
