import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../../observability/logger.ts';
import { NotAnSqsEventError } from './sqs-event.ts';

/**
 * Logs an invocation that failed as a whole (not single records): the only
 * failure Lambda counts as an error, and the one that retries a whole batch.
 */
export function invocationLoggingMiddleware(logger: Logger): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    onError: async (request) => {
      const notSqs = request.error instanceof NotAnSqsEventError;
      logger.error(notSqs ? 'invocation refused: the event is not an SQS batch' : 'invocation failed; the whole batch returns to the queue', {
        requestId: request.context?.awsRequestId,
        error: request.error,
      });
    },
  };
}
