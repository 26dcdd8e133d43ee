import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/** CloudWatch's most widgets on one dashboard. */
export const MAX_DASHBOARD_WIDGETS = 500;

/**
 * The dashboards of a MessagingMonitoring, made in its scope: `<name>`, then `<name>-2` and so on, each begun when a
 * row would take the last one past CloudWatch's widget limit. None when the monitoring builds no dashboard.
 */
export class MonitoringDashboards {
  readonly all: cloudwatch.Dashboard[] = [];
  private widgetsOnLast = 0;

  constructor(
    private readonly scope: Construct,
    private readonly name: string,
    build: boolean,
  ) {
    if (build) this.all.push(new cloudwatch.Dashboard(scope, 'Dashboard', { dashboardName: name }));
  }

  /** Adds a row, on a new dashboard when it would take the last one past CloudWatch's limit; nothing without dashboards. */
  addRow(...widgets: cloudwatch.IWidget[]): void {
    if (this.all.length === 0) return;
    if (this.widgetsOnLast + widgets.length > MAX_DASHBOARD_WIDGETS) {
      const number = this.all.length + 1;
      this.all.push(new cloudwatch.Dashboard(this.scope, `Dashboard${number}`, { dashboardName: `${this.name}-${number}` }));
      this.widgetsOnLast = 0;
    }
    this.all.at(-1)!.addWidgets(...widgets);
    this.widgetsOnLast += widgets.length;
  }
}

/** One metric's graph, a quarter of a dashboard row wide. */
export function graph(title: string, metric: cloudwatch.IMetric): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: [metric], width: 6, height: 5 });
}
