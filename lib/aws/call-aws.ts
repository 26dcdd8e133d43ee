import type { SQSClient } from '@aws-sdk/client-sqs';
import { translateAwsError, type AwsCallContext } from './aws-errors.ts';

/**
 * Makes one AWS SDK call: whatever it throws comes back as one of Postbox's typed errors (a PostboxError with a
 * stable code, `retryable`, and the SDK's error as its cause), naming what the call was about. Every call at the
 * boundary goes through here, as sqs-consumer wraps each of its calls in `toSQSError`.
 */
export async function callAws<T>(call: () => Promise<T>, context: AwsCallContext = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateAwsError(error, context);
  }
}

/**
 * The URL of a queue by its name; a queue that is not there is a QueueDoesNotExistError saying how to make it.
 * The SQS module is loaded on first use: a Lambda handler's cold start does not pay for it (see QueueActions).
 */
export async function queueUrlOf(sqs: SQSClient, name: string, context: Omit<AwsCallContext, 'queue'> = {}): Promise<string> {
  const { GetQueueUrlCommand } = await import('@aws-sdk/client-sqs');
  const { QueueUrl } = await callAws(() => sqs.send(new GetQueueUrlCommand({ QueueName: name })), { ...context, queue: name });
  return QueueUrl!;
}
