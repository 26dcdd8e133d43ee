import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { callAws } from '../aws/call-aws.ts';
import type { MessageScheduler, ScheduledCall, ScheduledDelivery } from '../runtime/publishing/scheduling/message-scheduler.ts';

export interface LocalMessageSchedulerOptions {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** How often due schedules are looked for. @default 1000 ms */
  readonly checkEveryMs?: number;
  /** Told of a delivery that failed; the schedule is kept and tried again at the next check. */
  readonly onError?: (name: string, error: unknown) => void;
}

/**
 * EventBridge Scheduler's part in the local system (the emulators fire no schedules): the schedules are kept in
 * memory and make their Publish or SendMessage against the emulator when due, then are deleted, as
 * `ActionAfterCompletion: DELETE` does on AWS. Its clock can be moved ahead (`advance`), so that a test sees a
 * message scheduled 20 minutes ahead delivered without waiting for it.
 */
export class LocalMessageScheduler implements MessageScheduler {
  private readonly schedules = new Map<string, ScheduledDelivery>();
  private offsetMs = 0;
  private readonly timer: NodeJS.Timeout;
  private firing: Promise<void> = Promise.resolve();

  constructor(private readonly options: LocalMessageSchedulerOptions) {
    this.timer = setInterval(() => void this.fireDue(), options.checkEveryMs ?? 1000);
    this.timer.unref();
  }

  /** The scheduler's time: the machine's, moved ahead by every `advance`. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  async schedule(delivery: ScheduledDelivery): Promise<void> {
    // A second schedule of one name is refused on AWS (ConflictException); a message id is scheduled once.
    if (this.schedules.has(delivery.name)) throw new Error(`a schedule named ${delivery.name} is waiting already: its message id was scheduled before`);
    this.schedules.set(delivery.name, delivery);
  }

  async cancel(name: string): Promise<boolean> {
    return this.schedules.delete(name);
  }

  /** Schedules still waiting, soonest first. */
  pending(): ScheduledDelivery[] {
    return [...this.schedules.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /** Moves the clock `seconds` ahead and delivers what is due by then; resolves once those deliveries are made. */
  async advance(seconds: number): Promise<void> {
    this.offsetMs += seconds * 1000;
    await this.fireDue();
  }

  /** Delivers every due schedule, one check at a time. */
  fireDue(): Promise<void> {
    this.firing = this.firing.then(async () => {
      for (const delivery of this.pending()) {
        if (delivery.at.getTime() > this.now()) break;
        try {
          await this.deliver(delivery.call);
          // By its name only if it is still this schedule: one cancelled while it was delivered and made again under
          // the same name (a message moved to a later time) is another schedule, and waits for its own time.
          if (this.schedules.get(delivery.name) === delivery) this.schedules.delete(delivery.name);
        } catch (error) {
          this.options.onError?.(delivery.name, error);
        }
      }
    });
    return this.firing;
  }

  /** Stops checking; what is still waiting is not delivered. */
  stop(): void {
    clearInterval(this.timer);
  }

  private async deliver(call: ScheduledCall): Promise<void> {
    const group = call.messageGroupId === undefined ? {} : { MessageGroupId: call.messageGroupId };
    if (call.kind === 'topic') {
      await callAws(() => this.options.sns.send(new PublishCommand({ TopicArn: call.topicArn, Message: call.message, MessageAttributes: call.messageAttributes, ...group })), { topic: call.topicArn });
    } else {
      await callAws(() => this.options.sqs.send(new SendMessageCommand({ QueueUrl: call.queueUrl, MessageBody: call.message, MessageAttributes: call.messageAttributes, ...group })), { queue: call.queueUrl });
    }
  }
}
