import type { ResolvedQueue } from '../../topology/resolved-topology.ts';
import type { Logger } from '../observability/logger.ts';
import type { ProcessingOutcome, ReceivedMessage } from './message-processor.ts';

/** What a consumer did with a message it received: the outcome of processing, and whether the message left its queue. */
export interface SettledMessage {
  readonly queue: ResolvedQueue;
  readonly message: ReceivedMessage;
  readonly outcome: ProcessingOutcome;
  /** True when handled or dead-lettered; false when it comes back (a retry, or a dead-letter copy that failed). */
  readonly left: boolean;
}

/** A message whose processing failed, before it is retried or dead-lettered (`outcome.action` says which). */
export interface FailedMessage {
  readonly queue: ResolvedQueue;
  readonly message: ReceivedMessage;
  readonly outcome: Exclude<ProcessingOutcome, { status: 'processed' }>;
}

/**
 * Hooks around every message a consumer processes, the same on the Lambda and the polling path, in the manner of
 * middy's before/after/onError. They watch: what one throws is logged and changes nothing about the message.
 */
export interface MessageHooks {
  /** Before the message is decoded and its handler called. @default none */
  readonly before?: (message: ReceivedMessage, queue: ResolvedQueue) => void;
  /** When its processing failed, before it is retried or dead-lettered. @default none */
  readonly onError?: (failed: FailedMessage) => void;
  /** Once it is settled: processed, retried or dead-lettered (`left` says whether it left its queue). @default none */
  readonly after?: (settled: SettledMessage) => void;
}

const processHooks = new Set<MessageHooks>();

/**
 * Adds hooks to every consumer of this process, for what runs handlers it did not write (the local runner loads a
 * service's Lambda entries; `postbox/testing` records every outcome through this). Returns the function that
 * removes them, from then on. Consumers pay one size check per message while the process has none.
 */
export function addProcessHooks(hooks: MessageHooks): () => void {
  processHooks.add(hooks);
  return () => void processHooks.delete(hooks);
}

/** Calls a consumer's own hooks, then the process's, keeping a failing hook from touching the message. */
export class HookRunner {
  constructor(
    private readonly own: readonly MessageHooks[],
    private readonly logger: Logger,
  ) {}

  /** Whether any hook would run: a consumer's own, or one of the process's. */
  get active(): boolean {
    return this.own.length > 0 || processHooks.size > 0;
  }

  before(message: ReceivedMessage, queue: ResolvedQueue): void {
    if (this.active) this.each('before', message.messageId, (hooks) => hooks.before?.(message, queue));
  }

  onError(failed: FailedMessage): void {
    if (this.active) this.each('onError', failed.message.messageId, (hooks) => hooks.onError?.(failed));
  }

  after(settled: SettledMessage): void {
    if (this.active) this.each('after', settled.message.messageId, (hooks) => hooks.after?.(settled));
  }

  private each(kind: string, messageId: string, call: (hooks: MessageHooks) => void): void {
    for (const hooks of [...this.own, ...processHooks]) {
      try {
        call(hooks);
      } catch (error) {
        this.logger.warn(`a message hook (${kind}) failed; the message is settled all the same`, { messageId, error });
      }
    }
  }
}
