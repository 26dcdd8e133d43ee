import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { FakeSqsQueue } from '../helpers/fake-sqs-queue.ts';

describe('FakeSqsQueue, the polling consumer loop tests’ stand-in for SQS', () => {
  // A receive a stop aborted before it went out must end, as the SDK's handler ends it; a long poll that waited on
  // faked time no test advances any more hung the consumer's stop (a flaky 30 s timeout under load).
  it('refuses at once a receive whose abort signal is aborted already, as the SDK does', async () => {
    const queue = new FakeSqsQueue();
    const controller = new AbortController();
    controller.abort();
    const receive = queue.client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }), { abortSignal: controller.signal });
    await expect(receive).rejects.toMatchObject({ name: 'AbortError' });
    expect(queue.receives).toEqual([{ max: 1, aborted: true }]);
  });
});
