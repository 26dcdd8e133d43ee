import type { ResolvedTopology } from '../topology/resolved-topology.ts';
import { constructId } from './add-handler-resources.ts';
import { stackGroupOf } from './stack-group-of.ts';

/**
 * Names of one kind that would share a construct id (`orders-2` and `orders2` are both `Orders2`): synthesis
 * would refuse them with CDK's "There is already a Construct with name ...". Renaming is the user's call: making
 * the ids tell them apart would change the logical ids, and so replace the resources, of stacks already deployed.
 */
export function constructIdClashes(topology: ResolvedTopology, stackGroups: number | undefined): string[] {
  const problems = [
    ...clashesOf('handler queues (subscribers and command handlers)', topology.queues.map((queue) => queue.id)),
    ...clashesOf('topics', topology.topics.map((topic) => topic.id)),
    ...clashesOf('external topics', topology.externalTopics.map((topic) => topic.id)),
  ];
  if (stackGroups !== undefined) {
    problems.push(...clashesOf(`stack groups (a declared stackGroup, or group-<n> of ${stackGroups} stackGroups)`, topology.queues.map((queue) => stackGroupOf(queue, stackGroups))));
  }
  return problems;
}

function clashesOf(kind: string, names: readonly string[]): string[] {
  const byId = new Map<string, Set<string>>();
  for (const name of names) {
    const id = constructId(name);
    byId.set(id, (byId.get(id) ?? new Set()).add(name));
  }
  return [...byId]
    .filter(([, sharing]) => sharing.size > 1)
    .map(([id, sharing]) => `${kind} ${[...sharing].map((name) => `'${name}'`).join(' and ')} would share the construct id '${id}' (hyphens are dropped from it); rename one of them`);
}
