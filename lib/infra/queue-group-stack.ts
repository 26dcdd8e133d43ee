import { NestedStack } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { MessagingMonitoring, type MessagingMonitoringProps } from './messaging-monitoring.ts';

export interface QueueGroupStackProps {
  /** The group's name (`group-07`, or a handler's `stackGroup`). */
  readonly group: string;
  /** Name of the group's dashboard. */
  readonly dashboardName: string;
  /** The messaging stack's alarm topic, which the group's alarms notify. */
  readonly alarmTopic: sns.ITopic;
  /**
   * The group's alarms and dashboard, as the messaging stack's (MessagingMonitoringProps).
   * @default every alarm, and a dashboard
   */
  readonly monitoring?: Pick<MessagingMonitoringProps, 'alarms' | 'dashboard'>;
}

/**
 * A nested stack holding the handlers of one stack group: their queues, subscriptions, Lambda consumers, their
 * compact alarms and a dashboard of their own (as the parent's profile has them). The topics, keys, stores and workers stay in the parent, which
 * passes what the group uses as nested-stack parameters.
 */
export class QueueGroupStack extends NestedStack {
  readonly group: string;
  readonly monitoring: MessagingMonitoring;

  constructor(scope: Construct, id: string, props: QueueGroupStackProps) {
    super(scope, id, { description: `Postbox stack group ${props.group}` });
    this.group = props.group;
    this.monitoring = new MessagingMonitoring(this, 'Monitoring', {
      dashboardName: props.dashboardName,
      alarmTopic: props.alarmTopic,
      compactAlarms: true,
      ...props.monitoring,
    });
  }
}
