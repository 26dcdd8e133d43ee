/** `postbox/cdk`: the CDK constructs of a topology, the stack that composes them, and the app that postbox.config.ts describes. */
export { OwnedPropertyError, type HandlerOverrides, type MessagingOverrides } from './infra/cdk-overrides.ts';
export { DurableQueue, type DurableQueueProps } from './infra/durable-queue.ts';
export { EventSubscription, type EventSubscriptionProps } from './infra/event-subscription.ts';
export { EventTopic, type EventTopicProps } from './infra/event-topic.ts';
export { IdempotencyTable, type IdempotencyTableProps } from './infra/idempotency-table.ts';
export { JobLockTable, type JobLockTableProps } from './infra/job-lock-table.ts';
export { LambdaConsumer, type LambdaConsumerProps } from './infra/lambda-consumer.ts';
export { createMessagingApp, messagingAppMain, type MessagingApp, type MessagingAppOptions } from './infra/messaging-app.ts';
export { MessagingMonitoring, type MessagingMonitoringProps } from './infra/messaging-monitoring.ts';
export { MessagingStack, type MessagingStackProps } from './infra/messaging-stack.ts';
export { PayloadBucket, type PayloadBucketProps } from './infra/payload-bucket.ts';
export { QueueGroupStack, type QueueGroupStackProps } from './infra/queue-group-stack.ts';
export { StackResourceLimitError } from './infra/resource-limit.ts';
export { SharedQueuePolicy } from './infra/shared-queue-policy.ts';
export { OutboxTable, type OutboxTableProps } from './infra/outbox-table.ts';
export { stackEnvironment, StackEnvironmentError } from './infra/stack-environment.ts';
export { WorkerBundleError, writeWorkerImage, type WorkerImageOptions } from './infra/worker-image.ts';
export { WorkerService, type WorkerServiceProps } from './infra/worker-service.ts';
