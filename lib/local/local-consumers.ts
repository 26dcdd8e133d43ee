import { UnknownQueueError } from '../operations/queue-directory.ts';

/** What receives a queue's messages on this machine: a Lambda handler's local event source, or a worker's consumer. */
export interface PausableConsumer {
  /** Sends no further receive until resumed; what is under way finishes. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
}

export type ConsumerState = 'running' | 'paused';

/**
 * The local consumers of every queue, paused and resumed a queue at a time (the console's Pause), so that a
 * developer can watch a backlog build and drain. The state lives here, in the running system, not in a page.
 */
export class LocalConsumers {
  constructor(private readonly byQueue: ReadonlyMap<string, readonly PausableConsumer[]>) {}

  /** Each queue that has a local consumer, by id, with its state. */
  states(): Record<string, ConsumerState> {
    return Object.fromEntries([...this.byQueue].map(([queue, consumers]) => [queue, stateOf(consumers)]));
  }

  pause(queue: string): ConsumerState {
    for (const consumer of this.of(queue)) consumer.pause();
    return 'paused';
  }

  resume(queue: string): ConsumerState {
    for (const consumer of this.of(queue)) consumer.resume();
    return 'running';
  }

  private of(queue: string): readonly PausableConsumer[] {
    const consumers = this.byQueue.get(queue);
    if (!consumers) {
      throw new UnknownQueueError(`no local consumer receives queue '${queue}'; the queues with one are: ${[...this.byQueue.keys()].join(', ') || 'none'}`);
    }
    return consumers;
  }
}

function stateOf(consumers: readonly PausableConsumer[]): ConsumerState {
  return consumers.some((consumer) => consumer.paused) ? 'paused' : 'running';
}
