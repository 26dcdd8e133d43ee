import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';

export interface MessageSchedulesProps {
  /** Name of the schedule group (`<app>-<stage>`), and the start of its dead-letter queue's name. */
  readonly groupName: string;
  /** The topics a schedule may publish to. */
  readonly topics: readonly sns.ITopic[];
  /**
   * The customer-managed key of the topics, which the schedules encrypt with when they publish.
   * @default none: the topics use the AWS-managed key, which needs no grant
   */
  readonly topicKey?: kms.IKey;
}

/**
 * What a Publisher needs to deliver messages later than SQS delays (docs/scheduling.md): an EventBridge Scheduler
 * schedule group for its one-time schedules, the role the schedules deliver with (allowed to publish to the
 * stack's topics and send to the command queues given to `allowSendingTo`, nothing else, and assumable by this account's schedules only), and
 * the dead-letter queue of what a schedule could not deliver after a day of retries.
 */
export class MessageSchedules extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly groupName: string;

  constructor(scope: Construct, id: string, props: MessageSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.groupName = props.groupName;
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: props.groupName });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: `${props.groupName}-scheduler-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: "It is the schedules' dead-letter queue: a dead-letter queue itself, watched by an alarm.",
    });
    // Only the schedules of this group may deliver with it (the confused deputy): Scheduler names the group as source.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: props.groupName }) },
        },
      }),
      description: `Delivers the scheduled messages of ${props.groupName}`,
    });
    if (props.topics.length > 0) {
      this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: props.topics.map((topic) => topic.topicArn) }));
      props.topicKey?.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey*');
    }
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    if (props.topicKey) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: "SNS asks for a data key of the topics' own key on the publisher's behalf; the wildcard is the GenerateDataKey family on that one key.",
      });
    }
  }

  /** Lets the schedules send to these command queues (made after the schedules, whose role their functions are told). */
  allowSendingTo(queues: readonly sqs.IQueue[]): void {
    if (queues.length > 0) this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: queues.map((queue) => queue.queueArn) }));
  }

  /** The environment a Publisher finds the group, role and dead-letter queue in (EventBridgeMessageScheduler). */
  get environment(): Record<string, string> {
    return {
      [DEPLOYED_ENVIRONMENT.scheduleGroup]: this.groupName,
      [DEPLOYED_ENVIRONMENT.schedulerRoleArn]: this.role.roleArn,
      [DEPLOYED_ENVIRONMENT.schedulerDeadLetterArn]: this.deadLetterQueue.queueArn,
    };
  }

  /**
   * Lets the grantee schedule messages and cancel them: scheduler:CreateSchedule and scheduler:DeleteSchedule on the
   * group's schedules, and iam:PassRole of the delivery role to EventBridge Scheduler only.
   */
  grantSchedule(grantee: iam.IGrantable): iam.Grant {
    // The wildcard is this stage's own schedule group: schedules are made per message, named by it, at run time.
    if (grantee instanceof iam.Role) {
      const stack = Stack.of(this);
      const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
      const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
      Validations.of(grantee).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:${region}:${account}:schedule/${this.groupName}/*]`,
        reason: "Each scheduled message is a schedule of its own, made and named at run time; the wildcard is this stage's schedule group.",
      });
    }
    return iam.Grant.addToPrincipal({ grantee, actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], resourceArns: [this.scheduleArns()] }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['iam:PassRole'],
        resourceArns: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
  }

  /** Scheduled messages that could not be delivered, waiting in the dead-letter queue. */
  metricDeadLetters(): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
  }

  private scheduleArns(): string {
    return Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.groupName}/*` });
  }
}
