import type { ResolvedQueue } from '../topology/resolved-topology.ts';

/**
 * The stack group of a subscriber or command handler: the `stackGroup` it declares, else `group-<n>` for a hash
 * (FNV-1a) of its name modulo the group count. The hash depends on the name alone, so adding or removing other
 * handlers never moves one; changing the count moves most of them (choose it once, with room to grow).
 */
export function stackGroupOf(queue: Pick<ResolvedQueue, 'id' | 'stackGroup'>, groupCount: number): string {
  if (queue.stackGroup !== undefined) return queue.stackGroup;
  let hash = 0x811c9dc5;
  for (const char of queue.id) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `group-${String(hash % groupCount).padStart(2, '0')}`;
}
