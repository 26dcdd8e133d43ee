import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { translateAwsError } from '../../../aws/aws-errors.ts';
import { callAws } from '../../../aws/call-aws.ts';
import { DEPLOYED_ENVIRONMENT } from '../../../messages/wire-contract.ts';
import { SchedulingNotConfiguredError } from '../publish-errors.ts';
import type { MessageScheduler, ScheduledDelivery } from './message-scheduler.ts';

/** Where EventBridge Scheduler puts a Publisher's schedules, and with what it delivers them. */
export interface EventBridgeSchedulerSettings {
  /** The schedule group (MessagingStack makes `<app>-<stage>`). */
  readonly group: string;
  /** The role the schedules deliver with: allowed to publish to the topics and send to the command queues. */
  readonly roleArn: string;
  /** The queue of what a schedule could not deliver after its retries. */
  readonly deadLetterArn: string;
}

/** Tries of a delivery that fails, over at most a day, before it goes to the scheduler's dead-letter queue. */
const DELIVERY_RETRIES = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

/**
 * Later messages as one-time EventBridge Scheduler schedules: `at(...)` in UTC, deleted once they fire, whose
 * universal target makes the Publish or SendMessage the publisher would have made, message attributes included (a
 * templated target sends the body alone, and subscriptions filter on the `type` attribute).
 */
export class EventBridgeMessageScheduler implements MessageScheduler {
  constructor(
    private readonly settings: EventBridgeSchedulerSettings,
    private readonly client: () => Promise<SchedulerClient>,
  ) {}

  /** The settings MessagingStack gives its functions and tasks with `schedules`; undefined without them. */
  static settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): EventBridgeSchedulerSettings | undefined {
    const group = env[DEPLOYED_ENVIRONMENT.scheduleGroup];
    const roleArn = env[DEPLOYED_ENVIRONMENT.schedulerRoleArn];
    const deadLetterArn = env[DEPLOYED_ENVIRONMENT.schedulerDeadLetterArn];
    return group && roleArn && deadLetterArn ? { group, roleArn, deadLetterArn } : undefined;
  }

  async schedule({ name, at, call }: ScheduledDelivery): Promise<void> {
    const { CreateScheduleCommand } = await import('@aws-sdk/client-scheduler');
    const client = await this.client();
    const partition = this.settings.roleArn.split(':')[1] ?? 'aws';
    const input =
      call.kind === 'topic'
        ? { TopicArn: call.topicArn, Message: call.message, MessageAttributes: call.messageAttributes, ...(call.messageGroupId && { MessageGroupId: call.messageGroupId }) }
        : { QueueUrl: call.queueUrl, MessageBody: call.message, MessageAttributes: call.messageAttributes, ...(call.messageGroupId && { MessageGroupId: call.messageGroupId }) };
    await callAws(
      () =>
        client.send(
          new CreateScheduleCommand({
            Name: name,
            GroupName: this.settings.group,
            // at() takes whole seconds, without a zone: UTC here.
            ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: {
              Arn: `arn:${partition}:scheduler:::aws-sdk:${call.kind === 'topic' ? 'sns:publish' : 'sqs:sendMessage'}`,
              RoleArn: this.settings.roleArn,
              Input: JSON.stringify(input),
              DeadLetterConfig: { Arn: this.settings.deadLetterArn },
              RetryPolicy: DELIVERY_RETRIES,
            },
          }),
        ),
      call.kind === 'topic' ? { topic: call.topicArn } : { queue: call.queueUrl },
    );
  }

  async cancel(name: string): Promise<boolean> {
    const { DeleteScheduleCommand } = await import('@aws-sdk/client-scheduler');
    const client = await this.client();
    try {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings.group }));
      return true;
    } catch (error) {
      // Fired (and deleted) already, cancelled before, or never made: nothing left to cancel.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
      throw translateAwsError(error);
    }
  }
}

/**
 * The scheduler of a Publisher given none on AWS: EventBridge Scheduler with the stack's settings; a
 * SchedulingNotConfiguredError, saying how to set them, without.
 */
export function deployedScheduler(makeClient: () => Promise<SchedulerClient>): MessageScheduler {
  const settings = EventBridgeMessageScheduler.settingsFromEnvironment();
  if (!settings) throw new SchedulingNotConfiguredError();
  return new EventBridgeMessageScheduler(settings, makeClient);
}
