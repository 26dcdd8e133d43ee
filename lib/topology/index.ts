export { defineTopology } from './define-topology.ts';
export { MESSAGE_KIND_ATTRIBUTE, MESSAGE_TYPE_ATTRIBUTE } from '../messages/wire-contract.ts';
export { filterPolicyFor, type FilterPolicy } from './filter-policy.ts';
export { externalTopicArn, parseTopicArn, type ArnScope } from './naming.ts';
export { commandQueueId, MAX_QUEUE_NAME_LENGTH, MAX_TOPIC_NAME_LENGTH, physicalName, resourcePrefix } from './naming.ts';
export {
  defaultVisibilityTimeout,
  queueById,
  resolveTopology,
  topicOfEvent,
  type ResolvedExternalTopic,
  type ResolvedQueue,
  type ResolvedSubscription,
  type ResolvedTopic,
  type ResolvedTopology,
  type ResolveOptions,
} from './resolve-topology.ts';
export type { CommandQueueId, QueueId, QueueMessageType, WorkerQueueId } from './queue-types.ts';
export type * from './topology-declaration.ts';
export type * from './topology-schema.ts';
export { TopologyError } from './topology-error.ts';
export { checkContracts, type ContractCheckOptions, type ContractFindings } from './contract-checks.ts';
export { contractOf, type ContractOptions, type ContractTopic, type ServiceContract } from './service-contract.ts';
