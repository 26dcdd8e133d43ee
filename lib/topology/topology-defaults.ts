/**
 * What a topology declaration gets for what it leaves out: the one home of these numbers. The declaration's schema
 * applies them, and the constructs that can also be used on their own (DurableQueue, LambdaConsumer) default to the
 * same, so a construct made by hand behaves as a declared handler does.
 */
export const TOPOLOGY_DEFAULTS = {
  queue: {
    /** Receives before SQS moves a message to the dead-letter queue. */
    maxReceiveCount: 5,
    backoff: { baseSeconds: 5, capSeconds: 900 },
  },
  lambda: { timeoutSeconds: 30, memoryMb: 256, batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 10, provisionedPollers: { minimum: 2, maximum: 200 } },
  worker: { timeoutSeconds: 900, concurrency: 10 },
  http: { signing: 'hmac', timeoutSeconds: 900, requestTimeoutSeconds: 10, concurrency: 10, breaker: { failuresToOpen: 5, openSeconds: 30 } },
} as const;
