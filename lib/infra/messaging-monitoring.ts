import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { addAlarmTopic } from './add-alarm-topic.ts';
import type { DurableQueue } from './durable-queue.ts';
import type { EventTopic } from './event-topic.ts';
import type { LambdaConsumer } from './lambda-consumer.ts';
import type { EventSubscription } from './event-subscription.ts';
import type { MessageSchedules } from './message-schedules.ts';
import { graph, MonitoringDashboards } from './monitoring-dashboards.ts';
import type { OutboxTable } from './outbox-table.ts';

export interface MessagingMonitoringProps {
  /** Name of the CloudWatch dashboard. */
  readonly dashboardName: string;
  /**
   * E-mail address subscribed to the alarm topic.
   * @default no subscription: subscribe to `alarmTopic` yourself
   */
  readonly alarmEmail?: string;
  /**
   * How long a message may wait for a consumer: a main queue alarms when its
   * oldest message is older than the longest a healthy message lives (see
   * {@link MessagingMonitoring.monitorQueue}) plus this.
   * @default Duration.minutes(15)
   */
  readonly oldestMessageAgeThreshold?: Duration;
  /**
   * The topic every alarm notifies, when it is another monitoring's (a stack group's alarms notify the stack's).
   * @default a topic of its own, encrypted, that only this account's CloudWatch may publish to
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Fewer alarms per handler, for big topologies: one dead-letter alarm per queue over its dead-letter queue and
   * its SNS delivery dead-letter queue (metric math), and one failure alarm per function over its errors and
   * throttles. Their descriptions name every condition they watch.
   * @default false: an alarm per condition
   */
  readonly compactAlarms?: boolean;
  /**
   * Which conditions alarm: `all`, or `dead-letters` only (a queue's dead-letter queue, its SNS delivery dead-letter
   * queue, the outbox's send dead-letters, and publishes without attributes, which reach no one), where a development
   * stage's money goes no further.
   * @default 'all'
   */
  readonly alarms?: 'all' | 'dead-letters';
  /**
   * Build the dashboard (CloudWatch bills $3 a month for each past an account's first 3).
   * @default true
   */
  readonly dashboard?: boolean;
}

/**
 * Watches a messaging application: every alarm notifies one encrypted alarm
 * topic, and one dashboard has a row per topic (published, failed, published
 * without attributes), per queue (depth, in flight, oldest age, DLQ depth),
 * per function (invocations, errors, throttles, duration) and for the outbox.
 *
 * Alarms: a dead-letter queue with at least one message, a main queue whose
 * oldest message is older than the threshold, a function with errors or
 * throttles, a topic that failed to deliver or got a publish without message
 * attributes, and an outbox whose relay dead-lettered a send, was given up on
 * by its stream, or failed whole.
 */
export class MessagingMonitoring extends Construct {
  readonly alarmTopic: sns.ITopic;
  /** The first dashboard, unless `dashboard` is false; a row that would take it past CloudWatch's 500 widgets starts the next one. */
  readonly dashboard?: cloudwatch.Dashboard;
  readonly dashboards: cloudwatch.Dashboard[];
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly alarmAction: cloudwatch.IAlarmAction;
  private readonly oldestMessageAgeThreshold: Duration;
  private readonly compactAlarms: boolean;
  private readonly deadLettersOnly: boolean;
  private readonly dashboardPages: MonitoringDashboards;

  constructor(scope: Construct, id: string, props: MessagingMonitoringProps) {
    super(scope, id);
    this.oldestMessageAgeThreshold = props.oldestMessageAgeThreshold ?? Duration.minutes(15);
    this.compactAlarms = props.compactAlarms ?? false;
    this.deadLettersOnly = props.alarms === 'dead-letters';
    this.alarmTopic = props.alarmTopic ?? addAlarmTopic(this, props.alarmEmail);
    this.alarmAction = new cloudwatchActions.SnsAction(this.alarmTopic);
    this.dashboardPages = new MonitoringDashboards(this, props.dashboardName, props.dashboard ?? true);
    this.dashboards = this.dashboardPages.all;
    const [first] = this.dashboards;
    if (first) this.dashboard = first;
  }

  /**
   * Alarms on the queue's backlog age and on its dead-letter queue, and adds its row to the dashboard.
   * @param healthyMessageAge the oldest a message gets while its consumer is healthy: SQS counts
   *   in-flight messages and messages waiting out a backoff in the age, so the alarm allows
   *   every attempt and every backoff (`healthyMessageAgeSeconds`) before the wait for a consumer.
   */
  monitorQueue(label: string, queue: DurableQueue, healthyMessageAge: Duration, subscription?: EventSubscription): void {
    const threshold = healthyMessageAge.plus(this.oldestMessageAgeThreshold);
    this.addOperationalAlarm(`${label}OldestMessage`, {
      metric: queue.metricOldestMessageAge(),
      threshold: threshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `Queue ${label}: oldest message older than ${threshold.toHumanString()} (its attempts and backoffs take up to ${healthyMessageAge.toHumanString()}); its consumer is stuck or too slow.`,
    });
    if (this.compactAlarms && subscription) {
      const deliveryDeadLetters = deliveryDeadLetterMessages(subscription);
      this.addAlarm(`${label}DeadLetters`, {
        metric: new cloudwatch.MathExpression({
          expression: 'MAX([FILL(dlq, 0), FILL(delivery, 0)])',
          usingMetrics: { dlq: queue.metricDeadLetterMessages(), delivery: deliveryDeadLetters },
          period: Duration.minutes(1),
          label: 'dead letters',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: `Queue ${label}: messages in its dead-letter queue, or in its SNS delivery dead-letter queue (SNS could not deliver). Inspect with 'postbox dlq show', then redrive.`,
      });
    } else {
      this.addDeadLetterAlarm(`${label}DeadLetters`, label, queue.metricDeadLetterMessages());
      if (subscription) this.addDeadLetterAlarm(`${label}DeliveryDeadLetters`, `${label} (SNS delivery)`, deliveryDeadLetterMessages(subscription));
    }
    this.dashboardPages.addRow(
      graph(`${label}: messages waiting`, queue.metricVisibleMessages()),
      graph(`${label}: in flight`, queue.metricInFlightMessages()),
      graph(`${label}: oldest message (s)`, queue.metricOldestMessageAge()),
      graph(`${label}: dead letters`, queue.metricDeadLetterMessages()),
    );
  }

  /** Alarms on the function's errors and throttles, and adds its row to the dashboard. */
  monitorFunction(label: string, consumer: LambdaConsumer): void {
    if (this.compactAlarms) {
      this.addOperationalAlarm(`${label}Failures`, {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(errors, 0) + FILL(throttles, 0)',
          usingMetrics: { errors: consumer.metricErrors(), throttles: consumer.metricThrottles() },
          period: Duration.minutes(5),
          label: 'errors + throttles',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: `Function ${label}: invocations failed as a whole (not single records; see its log group) or were throttled (raise its concurrency or lower the event source's maxConcurrency); its dashboard row shows which.`,
      });
    } else {
      this.addFunctionAlarms(label, consumer);
    }
    this.dashboardPages.addRow(
      graph(`${label}: invocations`, consumer.metricInvocations()),
      graph(`${label}: errors`, consumer.metricErrors()),
      graph(`${label}: throttles`, consumer.metricThrottles()),
      graph(`${label}: duration p99 (ms)`, consumer.metricDuration()),
    );
  }

  private addFunctionAlarms(label: string, consumer: LambdaConsumer): void {
    this.addOperationalAlarm(`${label}Errors`, {
      metric: consumer.metricErrors(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `Function ${label}: invocations failed as a whole (not single records); see its log group.`,
    });
    this.addOperationalAlarm(`${label}Throttles`, {
      metric: consumer.metricThrottles(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `Function ${label}: invocations throttled; raise its concurrency or lower the event source's maxConcurrency.`,
    });
  }

  /**
   * Alarms when the topic fails to deliver notifications, and when a publish carried no message attributes:
   * every subscription filters on the `type` attribute, so such a publish (a CloudEvent sent with a plain SNS
   * `Publish`) reaches no subscriber and SNS drops it without an error. Adds the topic's row to the dashboard.
   */
  monitorTopic(label: string, topic: EventTopic): void {
    this.addOperationalAlarm(`${label}FailedNotifications`, {
      metric: topic.metricNumberOfNotificationsFailed(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `Topic ${label}: SNS failed to deliver notifications; look in the subscriptions' delivery dead-letter queues.`,
    });
    // Kept in every profile: such a publish is lost as surely as a dead letter, and reaches no dead-letter queue.
    this.addAlarm(`${label}UntypedPublishes`, {
      metric: topic.metricNumberOfNotificationsFilteredOutNoMessageAttributes(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `Topic ${label}: publishes without message attributes reached no subscriber (every filter matches the 'type' attribute); publish with a 'type' message attribute naming the event.`,
    });
    this.dashboardPages.addRow(
      graph(`${label}: published`, topic.metricNumberOfMessagesPublished()),
      graph(`${label}: failed deliveries`, topic.metricNumberOfNotificationsFailed()),
      graph(`${label}: published without attributes (reached no one)`, topic.metricNumberOfNotificationsFilteredOutNoMessageAttributes()),
    );
  }

  /**
   * Alarms when the outbox relay dead-lettered a send, when Lambda gave up on stream batches (their records stay
   * pending in the table), and when the relay failed as a whole; adds the outbox's row to the dashboard.
   */
  monitorOutbox(label: string, outbox: OutboxTable): void {
    this.addAlarm(`${label}SendDeadLetters`, {
      metric: outbox.metricDeadLettered(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `${label}: messages could not be sent and are in the send dead-letter. Inspect with 'postbox outbox show', fix the cause, then 'postbox outbox replay'.`,
    });
    this.addOperationalAlarm(`${label}AbandonedBatches`, {
      metric: outbox.metricAbandonedBatches(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `${label}: Lambda gave up on stream batches after its retries; their records are still pending in the table. See the relay's log and docs/outbox.md.`,
    });
    this.addOperationalAlarm(`${label}RelayErrors`, {
      metric: outbox.metricRelayErrors(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `${label}: relay invocations failed as a whole; see its log group.`,
    });
    this.dashboardPages.addRow(
      graph(`${label}: sent`, outbox.metricSent()),
      graph(`${label}: send dead-letters`, outbox.metricDeadLettered()),
      graph(`${label}: relay behind stream (ms)`, outbox.metricIteratorAge()),
      graph(`${label}: abandoned stream batches`, outbox.metricAbandonedBatches()),
    );
  }

  /** Alarms on the schedules' dead-letter queue (what a schedule could not deliver), and adds its graph. */
  monitorSchedules(label: string, schedules: MessageSchedules): void {
    this.addAlarm(`${label}DeadLetters`, {
      metric: schedules.metricDeadLetters(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `${label}: scheduled messages EventBridge Scheduler could not deliver after a day of retries are in queue ${schedules.groupName}-scheduler-dlq; each holds the message and the error. Fix the cause, then send them again.`,
    });
    this.dashboardPages.addRow(graph(`${label}: undeliverable scheduled messages`, schedules.metricDeadLetters()));
  }

  private addDeadLetterAlarm(id: string, label: string, metric: cloudwatch.IMetric): void {
    this.addAlarm(id, {
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `Queue ${label}: messages in the dead-letter queue. Inspect with 'postbox dlq show', then redrive.`,
    });
  }

  /** An alarm on anything but dead letters: left out with `alarms: 'dead-letters'`. */
  private addOperationalAlarm(id: string, props: Omit<cloudwatch.AlarmProps, 'treatMissingData'>): void {
    if (!this.deadLettersOnly) this.addAlarm(id, props);
  }

  private addAlarm(id: string, props: Omit<cloudwatch.AlarmProps, 'treatMissingData'>): void {
    const alarm = new cloudwatch.Alarm(this, id, { ...props, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarms.push(alarm);
  }
}

function deliveryDeadLetterMessages(subscription: EventSubscription): cloudwatch.Metric {
  return subscription.deliveryDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
}
