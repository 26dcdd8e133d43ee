import { writeMetricLine } from '../../observability/log-output.ts';
import type { RelayReport } from './outbox-relay.ts';

/** The namespace and metric names the relay writes, and the alarm and dashboard read. */
export const OUTBOX_METRICS = { namespace: 'Postbox/Outbox', dimension: 'Outbox', sent: 'Sent', deadLettered: 'SendsDeadLettered', unsettled: 'Unsettled' } as const;

/** One embedded-metric-format line with what a relay run sent, dead-lettered and left pending, for the outbox `table`. */
export function writeOutboxMetrics(table: string, report: RelayReport, write: (line: string) => void = writeMetricLine): void {
  const { namespace, dimension, sent, deadLettered, unsettled } = OUTBOX_METRICS;
  write(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[dimension]], Metrics: [sent, deadLettered, unsettled].map((Name) => ({ Name, Unit: 'Count' })) }],
      },
      [dimension]: table,
      [sent]: report.sent.length,
      [deadLettered]: report.deadLettered.length,
      [unsettled]: report.unsettled.length,
    }),
  );
}
