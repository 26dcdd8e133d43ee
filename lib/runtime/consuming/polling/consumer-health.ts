import { metricsOff } from '../../observability/log-output.ts';

export interface ConsumerHealth {
  readonly status: 'starting' | 'polling' | 'stopping' | 'stopped';
  readonly queue: string;
  /** Messages held (received) and not yet finished, running or waiting. */
  readonly inFlight: number;
  /** Of those, the ones whose handler has not started: read ahead, or behind their FIFO group. */
  readonly waiting: number;
  readonly handled: number;
  readonly failed: number;
  /** When the last receive returned (epoch ms); 0 before the first. */
  readonly lastPollAt: number;
  readonly startedAt: number;
  /** Set while receives fail (an outage): since when, how many in a row, and the last error. */
  readonly receiveFailure?: ReceiveFailure;
}

/** Receives failing in a row, as the health endpoint reports them. */
export interface ReceiveFailure {
  /** Epoch ms of the first failure of the outage. */
  readonly since: number;
  readonly failures: number;
  /** `name: message` of the last failure. */
  readonly error: string;
}

/**
 * Why a consumer is unhealthy, or undefined when it is healthy: polling, its receives not failing, and a
 * receive returned within `staleAfterSeconds` (or it is busy with tasks). A consumer whose receives fail is
 * unhealthy at once, however young: a worker polling a missing queue must not pass its health check.
 */
export function healthProblem(health: ConsumerHealth, now: number, staleAfterSeconds: number): string | undefined {
  if (health.status !== 'polling') return health.status;
  const { receiveFailure } = health;
  if (receiveFailure) {
    return `receives failing for ${Math.round((now - receiveFailure.since) / 1000)} s (${receiveFailure.failures} attempts): ${receiveFailure.error}`;
  }
  const quietMs = now - Math.max(health.lastPollAt, health.startedAt);
  if (health.inFlight === 0 && quietMs >= staleAfterSeconds * 1000) return `no receive returned for ${Math.round(quietMs / 1000)} s`;
  return undefined;
}

/** Fields of the heartbeat log line, which is also an EMF document: CloudWatch sees the consumer alive and how busy it is. */
export function heartbeatFields(health: ConsumerHealth): Record<string, unknown> {
  const fields = { Queue: health.queue, Heartbeat: 1, InFlight: health.inFlight, handled: health.handled, failed: health.failed, status: health.status };
  if (metricsOff()) return fields;
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
    ...fields,
  };
}
