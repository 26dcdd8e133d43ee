import type { ServiceContract } from './service-contract.ts';

/**
 * Another service's topic that this service subscribes to. Either `service` and `topic` (a topic in this
 * account and region, named `<service>-<stage>-<topic>`), or `arn` (another account or region).
 */
export interface ExternalTopicDeclaration<EventName extends string> {
  /** The publishing service's app name. Goes with `topic`; not with `arn`. */
  readonly service?: string;
  /** The topic's name in the publishing service's topology. Goes with `service`. */
  readonly topic?: string;
  /** The topic's ARN (`arn:aws:sns:<region>:<account>:<service>-<stage>-<topic>`), for another account or region. */
  readonly arn?: string;
  /**
   * The publisher's stage whose topic to subscribe to (with `service` and `topic`).
   * @default this service's own stage
   */
  readonly stage?: string;
  /**
   * A FIFO topic: its subscribers' queues are FIFO too. An ARN ending in `.fifo` says so itself.
   * @default false
   */
  readonly fifo?: boolean;
  /** Event types it carries that this service consumes: each declared under `events`, with the schema it reads it by. */
  readonly events: readonly EventName[];
  /**
   * The publisher's contract (`contractOf(topology)`, imported from its package): synthesis checks that the topic
   * and events exist there, the stage is one it deploys, the versions are not behind, and no field read is gone.
   * @default none: nothing to check against
   */
  readonly contract?: ServiceContract<any>;
}
