import { awsClientConfig } from '../../../aws/aws-client-config.ts';
import type { PublishedMessage } from '../batch-sender.ts';
import { snsEntry, sqsEntry, type Prepared } from '../publish-requests.ts';
import { deployedScheduler } from './eventbridge-message-scheduler.ts';
import { processSchedulerOf, type MessageScheduler, type ScheduledCall } from './message-scheduler.ts';
import { scheduleNameOf } from './schedule-timing.ts';

/** A Publisher's messages for later: which scheduler takes them, and the call each schedule makes when it fires. */
export class PublisherScheduling {
  private deployed: MessageScheduler | undefined;

  constructor(
    private readonly given: MessageScheduler | undefined,
    private readonly region: string | undefined,
  ) {}

  /**
   * The given scheduler, else the local system's in this process, else EventBridge Scheduler as the stack set it up
   * (SchedulingNotConfiguredError without its settings).
   */
  scheduler(): MessageScheduler {
    if (this.given) return this.given;
    const local = processSchedulerOf();
    if (local) return local;
    this.deployed ??= deployedScheduler(async () => {
      const { SchedulerClient } = await import('@aws-sdk/client-scheduler');
      return new SchedulerClient(awsClientConfig({ ...(this.region && { region: this.region }) }));
    });
    return this.deployed;
  }

  /** Hands the message to the scheduler, with the call it makes at `at`: the publish or send the publisher would make now. */
  async schedule(message: Prepared, address: string, at: Date): Promise<PublishedMessage> {
    await this.scheduler().schedule({ name: scheduleNameOf(message.envelope.id), at, call: callOf(message, address) });
    return { index: message.index, id: message.envelope.id, type: message.envelope.type, status: 'scheduled', attempts: 1, scheduledAt: at };
  }

  /** Deletes the schedule of the message of this id; false when none was waiting. */
  cancel(id: string): Promise<boolean> {
    return this.scheduler().cancel(scheduleNameOf(id));
  }
}

function callOf(message: Prepared, address: string): ScheduledCall {
  if (message.destination.kind === 'topic') {
    const { Message, MessageAttributes, MessageGroupId } = snsEntry(message);
    return { kind: 'topic', topicArn: address, message: Message, messageAttributes: MessageAttributes, ...(MessageGroupId && { messageGroupId: MessageGroupId }) };
  }
  const { MessageBody, MessageAttributes, MessageGroupId } = sqsEntry(message);
  return { kind: 'queue', queueUrl: address, message: MessageBody, messageAttributes: MessageAttributes, ...(MessageGroupId && { messageGroupId: MessageGroupId }) };
}
