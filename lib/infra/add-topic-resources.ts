import { CfnOutput } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { ResolvedTopology } from '../topology/resolved-topology.ts';
import { constructId } from './add-handler-resources.ts';
import type { MessagingOverrides } from './cdk-overrides.ts';
import { EventTopic } from './event-topic.ts';
import type { MessagingMonitoring } from './messaging-monitoring.ts';

export interface TopicResources {
  /** The topics by id. */
  readonly topics: Map<string, EventTopic>;
  /** The customer-managed key of the topics that have one. */
  readonly topicKey?: kms.Key;
}

/**
 * The topology's topics in `scope`, encrypted, watched and output by ARN. In production every topic shares one
 * customer-managed key; in development a topic uses the AWS-managed `alias/aws/sns`, unless other accounts subscribe
 * to it: SNS delivers to them only under a key whose policy lets it, which an AWS-managed key's cannot.
 */
export function addTopicResources(
  scope: Construct,
  topology: ResolvedTopology,
  options: { readonly development: boolean; readonly monitoring: MessagingMonitoring; readonly overrides?: MessagingOverrides },
): TopicResources {
  const needsOwnKey = (topic: { allowSubscribers: readonly string[] }) => !options.development || topic.allowSubscribers.length > 0;
  const topicKey = topology.topics.some(needsOwnKey)
    ? new kms.Key(scope, 'TopicKey', { enableKeyRotation: true, description: `Encrypts the SNS topics of ${topology.prefix}` })
    : undefined;
  const awsManagedKey = topology.topics.every(needsOwnKey) ? undefined : kms.Alias.fromAliasName(scope, 'SnsManagedKey', 'alias/aws/sns');
  const topics = new Map<string, EventTopic>();
  for (const resolved of topology.topics) {
    const topic = new EventTopic(scope, `${constructId(resolved.id)}Topic`, {
      topicName: resolved.name,
      fifo: resolved.fifo,
      contentBasedDeduplication: resolved.contentBasedDeduplication,
      fifoThroughputScope: resolved.fifoThroughputScope,
      maxMessageSizeBytes: resolved.maxMessageSizeBytes,
      masterKey: needsOwnKey(resolved) ? topicKey! : awsManagedKey!,
      allowSubscribers: resolved.allowSubscribers,
      ...(options.overrides?.topicProps && { topicProps: options.overrides.topicProps }),
    });
    topics.set(resolved.id, topic);
    options.monitoring.monitorTopic(resolved.id, topic);
    new CfnOutput(scope, `${constructId(resolved.id)}TopicArn`, { value: topic.topic.topicArn });
  }
  return { topics, ...(topicKey && { topicKey }) };
}
