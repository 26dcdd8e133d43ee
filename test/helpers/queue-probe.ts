import { GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Receives what a queue holds without deleting it: each receive hides the
 * messages for `visibilitySeconds` (0 returns them at once).
 */
export async function receiveAvailable(
  sqs: SQSClient,
  queueUrl: string,
  { visibilitySeconds = 30, waitSeconds = 1, expected = Infinity }: { visibilitySeconds?: number; waitSeconds?: number; expected?: number } = {},
): Promise<Message[]> {
  const messages: Message[] = [];
  for (let attempt = 0; attempt < 5 && messages.length < expected; attempt++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: visibilitySeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
    if (Messages.length === 0 && expected === Infinity) break;
  }
  return messages;
}

/** Messages visible plus in flight, as SQS reports them. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}
