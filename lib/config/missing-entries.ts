import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedTopology } from '../topology/resolved-topology.ts';

/**
 * The Lambda handlers whose `entry` file is not under `projectRoot`, each as a problem naming the handler and the
 * path looked for: said with the topology's other problems, before esbuild or the local runner fail on the import.
 */
export function missingEntries(topology: Pick<ResolvedTopology, 'queues'>, projectRoot: string): string[] {
  return topology.queues.flatMap((queue) => {
    if (queue.handler.kind !== 'lambda') return [];
    const file = path.resolve(projectRoot, queue.handler.entry);
    const role = queue.role === 'subscriber' ? 'subscriber' : 'command handler';
    return existsSync(file) ? [] : [`${role} '${queue.id}': its entry '${queue.handler.entry}' does not exist (looked for ${file})`];
  });
}
