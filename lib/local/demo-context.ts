import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AnyTopology } from '../messages/message-types.ts';
import type { Publisher } from '../runtime/publishing/publisher.ts';

/**
 * What `postbox dev --demo` hands the default export of the config's `dev.demo` module, which starts
 * example traffic and returns how to stop it.
 */
export interface DemoContext<T extends AnyTopology = AnyTopology> {
  readonly publisher: Publisher<T>;
  /** Clients of the local endpoint, for traffic that goes around the publisher (a plain SNS publish). */
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** Topic ARNs by topic name. */
  readonly topicArns: ReadonlyMap<string, string>;
  /** Moves the dead letters of a queue back to it, as the console's redrive does. */
  redrive(queue: string): Promise<unknown>;
  /** Where the demo reports a failure of its own traffic. */
  readonly onError: (error: unknown) => void;
}

/** The default export of a demo module. */
export type StartDemo<T extends AnyTopology = AnyTopology> = (context: DemoContext<T>) => { stop(): void };
