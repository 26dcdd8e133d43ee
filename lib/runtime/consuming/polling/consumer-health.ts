export interface ConsumerHealth {
  readonly status: 'starting' | 'polling' | 'stopping' | 'stopped';
  readonly queue: string;
  readonly inFlight: number;
  readonly handled: number;
  readonly failed: number;
  /** When the last receive returned (epoch ms); 0 before the first. */
  readonly lastPollAt: number;
  readonly startedAt: number;
}

/** Fields of the heartbeat log line, which is also an EMF document: CloudWatch sees the consumer alive and how busy it is. */
export function heartbeatFields(health: ConsumerHealth): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: 'Postbox/Worker',
          Dimensions: [['Queue']],
          Metrics: [
            { Name: 'Heartbeat', Unit: 'Count' },
            { Name: 'InFlight', Unit: 'Count' },
          ],
        },
      ],
    },
    Queue: health.queue,
    Heartbeat: 1,
    InFlight: health.inFlight,
    handled: health.handled,
    failed: health.failed,
    status: health.status,
  };
}
