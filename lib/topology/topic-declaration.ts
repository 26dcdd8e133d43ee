/** A topic, typed so that it may only name declared events. */
export interface TopicDeclaration<EventName extends string> {
  /** Event types this topic carries. Each event type is carried by exactly one topic. */
  readonly events: readonly EventName[];
  /**
   * FIFO topic (ordered, deduplicated); its subscribers' queues are FIFO too.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * FIFO topics only (an error on a standard topic). On, SNS deduplicates a publish that carries no
   * deduplication id by a SHA-256 hash of its body (within 5 minutes), so a plain publisher (an SNS
   * `Publish` with a `type` attribute) may leave `MessageDeduplicationId` out; it must still send a
   * `MessageGroupId`. Off, every publish to the FIFO topic must carry a `MessageDeduplicationId`.
   * Postbox's Publisher sends the message id as deduplication id unless it is given one, except to a
   * topic with this on, where it leaves deduplication to SNS.
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * FIFO topics only (an error on a standard topic): SNS's `FifoThroughputScope`. `'MessageGroup'` is high-throughput
   * mode: the regional throughput quota instead of 3,000 messages per second per topic, with deduplication within
   * each message group only (Postbox's default group and deduplication ids are both the message id, so a publish of
   * the same id again is still dropped). SNS does not let a topic go back from `'MessageGroup'` to `'Topic'`: choose
   * it when the topic is made; replacing the topic is the only way back.
   * @default 'Topic' (SNS's default; the attribute is left out)
   */
  readonly fifoThroughputScope?: 'Topic' | 'MessageGroup';
  /**
   * Largest message the topic accepts, in bytes (SNS's `MaximumMessageSize`, 1,024 to 1,048,576). Above 256 KiB, SNS
   * allows at most 100 subscriptions and only SQS, Lambda and Firehose ones, and every subscriber's queue must accept
   * as much (`queue.maxMessageSizeBytes`): both are checked. A larger event still goes through the payload bucket.
   * @default 262144 (256 KiB)
   */
  readonly maxMessageSizeBytes?: number;
  /**
   * Accounts (`'111122223333'`) and AWS Organizations (`'o-abc123def4'`) whose SQS queues may subscribe to this
   * topic from another account: its topic policy allows them `sns:Subscribe` with protocol `sqs` only. Subscribers
   * in this service's own account need nothing here.
   * @default none: subscribers in this account only
   */
  readonly allowSubscribers?: readonly string[];
}
