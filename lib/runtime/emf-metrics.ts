/**
 * Per-message-type counters and durations, flushed as CloudWatch embedded
 * metric format (EMF) lines: CloudWatch turns each line into metrics, with no
 * API call from the handler. Written by hand for the same reason as the logger.
 */
export type MessageMetric = 'Processed' | 'Failed' | 'Retried' | 'DeadLettered';

const counters: readonly MessageMetric[] = ['Processed', 'Failed', 'Retried', 'DeadLettered'];

interface TypeMetrics {
  counts: Record<MessageMetric, number>;
  durations: number[];
}

export class EmfMetrics {
  private byType = new Map<string, TypeMetrics>();

  constructor(
    private readonly namespace: string,
    private readonly queue: string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  count(messageType: string, metric: MessageMetric): void {
    this.of(messageType).counts[metric] += 1;
  }

  duration(messageType: string, milliseconds: number): void {
    this.of(messageType).durations.push(milliseconds);
  }

  /** Writes one EMF line per message type seen since the last flush. */
  flush(): void {
    const timestamp = Date.now();
    for (const [messageType, metrics] of this.byType) {
      this.write(
        JSON.stringify({
          _aws: {
            Timestamp: timestamp,
            CloudWatchMetrics: [
              {
                Namespace: this.namespace,
                Dimensions: [['Queue', 'MessageType']],
                Metrics: [...counters.map((name) => ({ Name: name, Unit: 'Count' })), { Name: 'Duration', Unit: 'Milliseconds' }],
              },
            ],
          },
          Queue: this.queue,
          MessageType: messageType,
          ...metrics.counts,
          Duration: metrics.durations,
        }),
      );
    }
    this.byType = new Map();
  }

  private of(messageType: string): TypeMetrics {
    let metrics = this.byType.get(messageType);
    if (metrics === undefined) {
      metrics = { counts: { Processed: 0, Failed: 0, Retried: 0, DeadLettered: 0 }, durations: [] };
      this.byType.set(messageType, metrics);
    }
    return metrics;
  }
}
