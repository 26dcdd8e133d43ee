import { writeMetricLine } from './log-output.ts';

/**
 * Per-message-type counters and durations, flushed as CloudWatch embedded
 * metric format (EMF) lines: CloudWatch turns each line into metrics, with no
 * API call from the handler. Written by hand for the same reason as the logger.
 */
export type MessageMetric = 'Processed' | 'Failed' | 'Retried' | 'DeadLettered' | 'Duplicate';

const METRIC_DEFINITIONS = JSON.stringify([
  ...(['Processed', 'Failed', 'Retried', 'DeadLettered', 'Duplicate'] satisfies MessageMetric[]).map((name) => ({ Name: name, Unit: 'Count' })),
  { Name: 'Duration', Unit: 'Milliseconds' },
]);
/** A continuation document declares only Duration: EMF needs every declared metric in the document, and a count of 0 would be a sample. */
const DURATION_DEFINITION = JSON.stringify([{ Name: 'Duration', Unit: 'Milliseconds' }]);
/** CloudWatch drops an EMF document with more than 100 values for one metric. */
export const EMF_MAX_VALUES_PER_METRIC = 100;

interface TypeMetrics {
  counts: Record<MessageMetric, number>;
  durations: number[];
}

export class EmfMetrics {
  private byType = new Map<string, TypeMetrics>();

  private namespaceJson: string;
  private queueJson: string;
  /** `,"requestId":"…"` in the documents of one invocation's metrics, else empty. */
  private requestIdJson = '';

  constructor(
    namespace: string,
    queue: string,
    private readonly write: (line: string) => void = writeMetricLine,
  ) {
    this.namespaceJson = JSON.stringify(namespace);
    this.queueJson = JSON.stringify(queue);
  }

  /**
   * New, empty metrics of the same namespace and queue for one invocation, whose documents name its request:
   * invocations that run at once (Lambda Managed Instances) each count and write their own.
   */
  forInvocation(requestId: string | undefined): EmfMetrics {
    const metrics = new EmfMetrics('', '', this.write);
    metrics.namespaceJson = this.namespaceJson;
    metrics.queueJson = this.queueJson;
    if (requestId !== undefined) metrics.requestIdJson = `,"requestId":${JSON.stringify(requestId)}`;
    return metrics;
  }

  count(messageType: string, metric: MessageMetric): void {
    this.of(messageType).counts[metric] += 1;
  }

  /** Counts a message as processed or failed and records how long it took. */
  record(messageType: string, metric: 'Processed' | 'Failed', milliseconds: number): void {
    const metrics = this.of(messageType);
    metrics.counts[metric] += 1;
    // To the microsecond: a double's shortest digits are the costliest part of writing a document (see `npm run bench`).
    metrics.durations.push(Math.round(milliseconds * 1000) / 1000);
  }

  /**
   * Writes one EMF line per message type seen since the last flush, and one
   * more per further 100 durations of a type.
   */
  flush(): void {
    if (this.byType.size === 0) return;
    // Written as a template: this runs after every batch, and only the values change.
    const timestamp = Date.now();
    for (const [messageType, { counts, durations }] of this.byType) {
      const head = `{"_aws":{"Timestamp":${timestamp},"CloudWatchMetrics":[{"Namespace":${this.namespaceJson},"Dimensions":[["Queue","MessageType"]],"Metrics":`;
      const properties = `"Queue":${this.queueJson},"MessageType":${JSON.stringify(messageType)}${this.requestIdJson}`;
      this.write(
        `${head}${METRIC_DEFINITIONS}}]},${properties},"Processed":${counts.Processed},"Failed":${counts.Failed},` +
          `"Retried":${counts.Retried},"DeadLettered":${counts.DeadLettered},"Duplicate":${counts.Duplicate},"Duration":[${durations.slice(0, EMF_MAX_VALUES_PER_METRIC).join(',')}]}`,
      );
      for (let start = EMF_MAX_VALUES_PER_METRIC; start < durations.length; start += EMF_MAX_VALUES_PER_METRIC) {
        this.write(`${head}${DURATION_DEFINITION}}]},${properties},"Duration":[${durations.slice(start, start + EMF_MAX_VALUES_PER_METRIC).join(',')}]}`);
      }
    }
    this.byType = new Map();
  }

  private of(messageType: string): TypeMetrics {
    let metrics = this.byType.get(messageType);
    if (metrics === undefined) {
      metrics = { counts: { Processed: 0, Failed: 0, Retried: 0, DeadLettered: 0, Duplicate: 0 }, durations: [] };
      this.byType.set(messageType, metrics);
    }
    return metrics;
  }
}
