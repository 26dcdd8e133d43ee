import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../../observability/logger.ts';

/**
 * Logs an invocation that failed as a whole (not single records): the only
 * failure Lambda counts as an error, and the one that retries a whole batch.
 */
export function invocationLoggingMiddleware(logger: Logger): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    onError: async (request) => {
      logger.error('invocation failed; the whole batch returns to the queue', {
        requestId: request.context?.awsRequestId,
        error: request.error,
      });
    },
  };
}
