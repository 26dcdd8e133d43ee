import type { ResolvedQueue } from './resolved-topology.ts';
import { queueOfDeclaration, type ResolvedQueueOf } from './resolve-topology.ts';
import { commandQueueId } from './naming.ts';
import type { TopologyDeclaration } from './topology-declaration.ts';

type Declaration = TopologyDeclaration<any, any, any, any, any, any>;

/**
 * The longest resolved queue a function is deployed with, in bytes. Lambda allows 4 KB of environment in all; a queue
 * whose settings would take more, or more than the function's other variables leave, is resolved at cold start
 * instead, as it was before.
 */
export const MAX_DEPLOYED_QUEUE_BYTES = 2048;

/** Bumped when what resolution makes of a declaration changes shape, so that an older encoding is never read. */
const ENCODING = 1;

/** What a Lambda function of one queue is deployed with: its queue resolved at synthesis, and what it was resolved from. */
interface DeployedQueue {
  /** A hash of the declaration the queue was resolved from (see {@link declarationFingerprint}). */
  readonly from: string;
  readonly queue: ResolvedQueue;
}

/**
 * The queue as synthesis resolved it, for the function's environment (`POSTBOX_RESOLVED_QUEUE`): its cold start
 * then builds none of the declaration schemas that resolving takes (about half of a handler's module init, see
 * `npm run bench`). Undefined when it would not fit the environment: `roomBytes` is what the function's other
 * variables leave of Lambda's 4 KB, the variable's name included.
 */
export function encodeDeployedQueue(declaration: Declaration, stage: string, queue: ResolvedQueue, roomBytes = MAX_DEPLOYED_QUEUE_BYTES): string | undefined {
  const from = declarationFingerprint(declaration, stage, queue.id);
  if (from === undefined) return undefined;
  const text = JSON.stringify({ from, queue } satisfies DeployedQueue);
  return new TextEncoder().encode(text).length <= Math.min(MAX_DEPLOYED_QUEUE_BYTES, roomBytes) ? text : undefined;
}

/**
 * The queue `text` carries, if it is queue `id` resolved from this very declaration at this stage; otherwise
 * undefined, and the caller resolves the declaration itself. A function whose code was deployed without its
 * environment (or the other way round) is never given another declaration's settings.
 */
export function decodeDeployedQueue(declaration: Declaration, stage: string, id: string, text: string | undefined): ResolvedQueueOf | undefined {
  if (text === undefined) return undefined;
  let deployed: Partial<DeployedQueue> | null;
  try {
    deployed = JSON.parse(text) as Partial<DeployedQueue> | null;
  } catch {
    return undefined;
  }
  if (deployed?.queue?.id !== id || deployed.from !== declarationFingerprint(declaration, stage, id)) return undefined;
  return queueOfDeclaration(declaration, stage, deployed.queue);
}

/**
 * Everything resolving queue `id` reads (as resolveQueueOf does), hashed: the app, the stage, the queue's own
 * declaration, and for a subscriber whether its topic is another service's and FIFO. Undefined when the
 * declaration has no such queue or cannot be written as JSON.
 */
export function declarationFingerprint(declaration: Declaration, stage: string, id: string): string | undefined {
  const subscribers: Record<string, { topic?: string } | undefined> = declaration.subscribers ?? {};
  let parts: unknown[];
  if (Object.hasOwn(subscribers, id)) {
    const subscriber = subscribers[id];
    const external = subscriber?.topic === undefined ? undefined : declaration.externalTopics?.[subscriber.topic];
    const topicFifo = subscriber?.topic === undefined ? undefined : declaration.topics?.[subscriber.topic]?.fifo;
    parts = [subscriber, external && [external.service, external.topic, external.arn, external.stage, external.fifo], topicFifo];
  } else {
    const commandHandlers: Record<string, unknown> = declaration.commandHandlers ?? {};
    const commandType = Object.keys(commandHandlers).find((type) => commandQueueId(type) === id);
    if (commandType === undefined) return undefined;
    parts = [commandType, commandHandlers[commandType]];
  }
  try {
    return cyrb53(JSON.stringify([ENCODING, declaration.app, stage, id, ...parts]));
  } catch {
    return undefined;
  }
}

/**
 * A 53-bit string hash (cyrb53, public domain): a cold start hashes a few hundred characters, and node:crypto
 * would cost the module init more than the hashing. Not a security boundary: it tells an edited declaration
 * from the one synthesized.
 */
function cyrb53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
