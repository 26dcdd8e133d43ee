import type { MessageAttributeValue as SnsAttribute } from '@aws-sdk/client-sns';
import type { MessageAttributeValue as SqsAttribute } from '@aws-sdk/client-sqs';

/** The call a schedule makes when it fires: the Publish or SendMessage the publisher would have made itself. */
export type ScheduledCall =
  | {
      readonly kind: 'topic';
      readonly topicArn: string;
      readonly message: string;
      readonly messageAttributes: Record<string, SnsAttribute>;
      readonly messageGroupId?: string;
    }
  | {
      readonly kind: 'queue';
      readonly queueUrl: string;
      readonly message: string;
      readonly messageAttributes: Record<string, SqsAttribute>;
      readonly messageGroupId?: string;
    };

/** One message to deliver later. */
export interface ScheduledDelivery {
  /** The schedule's name (`scheduleNameOf` the message id), by which it is cancelled. */
  readonly name: string;
  readonly at: Date;
  readonly call: ScheduledCall;
}

/**
 * Delivers messages at a later time: EventBridge Scheduler on AWS (EventBridgeMessageScheduler), the local system's
 * own clock in `postbox dev` and `postbox/testing` (LocalMessageScheduler).
 */
export interface MessageScheduler {
  /** Creates the schedule; throws if it could not (nothing was scheduled then). */
  schedule(delivery: ScheduledDelivery): Promise<void>;
  /** Deletes the schedule; false when there was none (never made, cancelled, or fired already). */
  cancel(name: string): Promise<boolean>;
}

let processScheduler: MessageScheduler | undefined;

/**
 * The scheduler of every Publisher of this process that was given none: the local system sets its own, so that a
 * handler's publisher schedules on the local clock as it would with EventBridge Scheduler on AWS. Returns the removal.
 */
export function setProcessScheduler(scheduler: MessageScheduler): () => void {
  processScheduler = scheduler;
  return () => {
    if (processScheduler === scheduler) processScheduler = undefined;
  };
}

export function processSchedulerOf(): MessageScheduler | undefined {
  return processScheduler;
}
