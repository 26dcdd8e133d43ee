import type middy from '@middy/core';
import type { EmfMetrics } from '../../observability/emf-metrics.ts';

/** Writes the invocation's metrics once it ends, whether it succeeded or threw. */
export function metricsFlushMiddleware(metrics: EmfMetrics): middy.MiddlewareObj {
  const flush = async () => metrics.flush();
  return { after: flush, onError: flush };
}
