import { carriesPayloadPointer, readPayloadPointer, withoutPayloadSize } from '../../messages/payload-pointer.ts';
import type { PayloadStore } from '../payloads/s3-payload-store.ts';
import type { ReceivedMessage } from './message-processor.ts';

/**
 * The message with the payload its pointer names in place of the pointer, and
 * without the pointer's size attribute, for decoding and validation; undefined,
 * synchronously, for a message that carries no pointer (nearly all of them).
 * The received message itself is left as it came: a retry or a dead-letter
 * copy keeps the pointer, and the payload stays in S3 until the bucket's
 * lifecycle rule expires it.
 * @throws (rejects) MalformedMessageError, PayloadMissingError, PayloadFetchError
 */
export function fetchPayload(message: ReceivedMessage, store: () => PayloadStore): Promise<ReceivedMessage> | undefined {
  if (!carriesPayloadPointer(message.attributes)) return undefined;
  return (async () => {
    const pointer = readPayloadPointer(message.messageId, message.body);
    const body = await store().get(message.messageId, pointer);
    const { messageAttributes } = message;
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      receiveCount: message.receiveCount,
      groupId: message.groupId,
      receivedAt: message.receivedAt,
      sentTimestamp: message.sentTimestamp,
      body,
      attributes: withoutPayloadSize(message.attributes),
      ...(messageAttributes && { messageAttributes: withoutPayloadSize(messageAttributes) }),
    };
  })();
}
