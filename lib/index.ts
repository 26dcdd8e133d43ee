/**
 * `postbox`: declare a topology, publish to it, and handle its messages in Lambda or in a polling worker.
 * Nothing here imports the CDK: a Lambda bundle of a handler takes only what it uses.
 */
export { ConfigError } from './config/config-error.ts';
export { defineConfig, type PostboxConfig, type PostboxConfigInput } from './config/postbox-config.ts';
export type { Envelope, MessageKind } from './messages/envelope.ts';
export {
  InvalidDelayError,
  MalformedMessageError,
  MessageError,
  MessageTooLargeError,
  SchemaValidationError,
  UnknownMessageTypeError,
  UnrecoverableError,
  UnsupportedDataVersionError,
} from './messages/message-errors.ts';
export type { AnyTopology, CommandType, EventType, MessageData, MessageInput, MessageTypeName, ReplyData, ReplyInput, RequestType } from './messages/message-types.ts';
export { PostboxError } from './postbox-error.ts';
export { createSqsHandler, type SqsHandler, type SqsHandlerOptions } from './runtime/consuming/lambda/create-sqs-handler.ts';
export type { FailedMessage, MessageHooks, SettledMessage } from './runtime/consuming/message-hooks.ts';
export { HandlerConfigurationError } from './runtime/consuming/handler-configuration-error.ts';
export type { HandlerContext, MessageHandler, MessageHandlers, QueueHandlers } from './runtime/consuming/handler-context.ts';
export { NotAnSqsEventError } from './runtime/consuming/lambda/sqs-event.ts';
export { DynamoDbIdempotencyStore, type DynamoDbIdempotencyStoreOptions } from './runtime/consuming/idempotency/dynamodb-idempotency-store.ts';
export { IdempotencyInProgressError, IdempotencyKeyError, IdempotencyStoreUnavailableError } from './runtime/consuming/idempotency/idempotency-errors.ts';
export type { ClaimOutcome, IdempotencyClaim, IdempotencyStore, StoredResult } from './runtime/consuming/idempotency/idempotency-store.ts';
export { idempotent, type IdempotentOptions } from './runtime/consuming/idempotency/idempotent-handler.ts';
export { InMemoryIdempotencyStore } from './runtime/consuming/idempotency/in-memory-idempotency-store.ts';
export { defineWorkers, type WorkerDefinitions, type WorkerQueueDefinition } from './runtime/consuming/workers/define-workers.ts';
export { DynamoDbJobLock, type DynamoDbJobLockOptions } from './runtime/consuming/workers/dynamodb-job-lock.ts';
export { InMemoryJobLock, type JobLock } from './runtime/consuming/workers/job-lock.ts';
export {
  PollingConsumer,
  type ConsumerHealth,
  type ConsumerLimits,
  type PollingConsumerEvents,
  type PollingConsumerOptions,
  type StopReason,
} from './runtime/consuming/polling/polling-consumer.ts';
export {
  AccessDeniedError,
  AwsCallError,
  AwsServiceError,
  ConditionFailedError,
  EndpointUnreachableError,
  ObjectDoesNotExistError,
  OperationUnsupportedError,
  QueueDoesNotExistError,
  ResourceAlreadyExistsError,
  ThrottledError,
  type AwsCallContext,
} from './aws/aws-errors.ts';
export { JobLockedError, JobLockUnavailableError } from './runtime/consuming/polling/polling-errors.ts';
export { runWorkers, type RunningWorkers, type RunWorkersOptions } from './runtime/consuming/workers/run-workers.ts';
export type { UniqueJobs } from './runtime/consuming/workers/unique-jobs.ts';
export { createLogger, type Logger, type LogLevel } from './runtime/observability/logger.ts';
export type { TraceContext } from './runtime/observability/trace-context.ts';
export { PayloadFetchError, PayloadMissingError, PayloadStoreError } from './runtime/payloads/payload-errors.ts';
export {
  BatchValidationError,
  DeliveryError,
  DestinationAddressError,
  DestinationNotFoundError,
  DuplicateMessageError,
  InvalidPublishOptionsError,
  PublisherOptionsError,
  SchedulingNotConfiguredError,
  SendDeadLetterError,
} from './runtime/publishing/publish-errors.ts';
export { Requester, type RequesterOptions, type RequestOptions } from './runtime/publishing/request-reply/requester.ts';
export { RequesterNotRunningError, RequestFailedError, RequestTimeoutError } from './runtime/publishing/request-reply/request-errors.ts';
export { ReplyInvalidError } from './runtime/consuming/request-reply.ts';
export { httpEndpointHandler, verifySignature, type HttpEndpointHandler, type HttpEndpointOptions } from './runtime/consuming/http-delivery/http-endpoint-handler.ts';
export { EndpointRejectedError, EndpointUnavailableError } from './runtime/consuming/http-delivery/http-delivery-outcome.ts';
export type { CircuitBreaker, CircuitBreakerSettings } from './runtime/consuming/http-delivery/circuit-breaker.ts';
export type { HmacSecret, SecretSource } from './runtime/consuming/http-delivery/request-signing.ts';
export type { SigV4Options } from './aws/sigv4-signer.ts';
export { secretsManagerSecret, SecretUnavailableError, type SecretsManagerSecretOptions } from './aws/secrets-manager-secret.ts';
export { EventBridgeMessageScheduler, type EventBridgeSchedulerSettings } from './runtime/publishing/scheduling/eventbridge-message-scheduler.ts';
export type { MessageScheduler, ScheduledCall, ScheduledDelivery } from './runtime/publishing/scheduling/message-scheduler.ts';
export { DynamoDbOutboxStore, MAX_TRANSACTION_ITEMS, type DynamoDbOutboxStoreOptions } from './runtime/publishing/outbox/dynamodb-outbox-store.ts';
export { JsonLinesSendDeadLetter } from './runtime/publishing/outbox/json-lines-send-dead-letter.ts';
export { Outbox } from './runtime/publishing/outbox/outbox.ts';
export {
  OutboxConfigurationError,
  OutboxStoreUnavailableError,
  OutboxTableNotFoundError,
  OutboxTransactionFailedError,
  OutboxWriteInvalidError,
  SendDeadLetterFileInvalidError,
} from './runtime/publishing/outbox/outbox-errors.ts';
export { OutboxPoller, type OutboxPollerOptions } from './runtime/publishing/outbox/outbox-poller.ts';
export type { OutboxRecord, OutboxSend, OutboxStatus } from './runtime/publishing/outbox/outbox-record.ts';
export { OutboxRelay, type OutboxRelayOptions, type RelayReport } from './runtime/publishing/outbox/outbox-relay.ts';
export type { OutboxStore, SendDeadLetter } from './runtime/publishing/outbox/outbox-store.ts';
export {
  Publisher,
  type BatchEntry,
  type OutboxEntry,
  type PublishedMessage,
  type PublisherOptions,
  type PublishOptions,
  type PublishReport,
  type SendOptions,
} from './runtime/publishing/publisher.ts';
export { defineTopology, TopologyError } from './topology/index.ts';
export { contractOf, type ContractOptions, type ContractTopic, type ServiceContract } from './topology/service-contract.ts';
export type { CommandQueueId, QueueId, QueueMessageType, WorkerQueueId } from './topology/queue-types.ts';
export type * from './topology/topology-declaration.ts';
export type * from './topology/topology-schema.ts';
