import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

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

/**
 * Consumes `expected` messages as a consumer does, deleting each receive's
 * messages before the next: on a FIFO queue a group's next message comes only
 * after the one before it is deleted (SQS may hand out several of a group at
 * once, fauxqs one), so this is the order a consumer sees.
 */
export async function consumeInOrder(sqs: SQSClient, queueUrl: string, expected: number, timeoutMs = 10_000): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < expected && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) continue;
    messages.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })) }),
    );
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
