import { CfnOutput, Validations } from 'aws-cdk-lib';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import { outboxTableName } from '../topology/naming.ts';
import { lockFileOf } from './lock-file-of.ts';
import type { MessagingStack } from './messaging-stack.ts';
import { OutboxTable } from './outbox-table.ts';

/**
 * The transactional outbox of a messaging stack (its `outbox` prop): the table and its stream relay, allowed to send
 * what the outbox holds (any event of the stack's topics, any of its commands), watched, and its table's name output.
 */
export function addOutboxResources(stack: MessagingStack, projectRoot: string): OutboxTable {
  const { topology } = stack;
  const outbox = new OutboxTable(stack, 'Outbox', {
    tableName: outboxTableName(topology.prefix),
    depsLockFilePath: lockFileOf(projectRoot),
    environment: { [DEPLOYED_ENVIRONMENT.stage]: topology.stage, [DEPLOYED_ENVIRONMENT.accountId]: stack.account },
  });
  if (stack.topics.size > 0) {
    stack.grantPublish(outbox.relayRole);
    if (stack.topicKey) {
      Validations.of(outbox.relayRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: "SNS asks for a data key of the topics' own key on the publisher's behalf; the wildcard is the GenerateDataKey family on that one key.",
      });
    }
  }
  if (topology.queues.some((queue) => queue.role === 'command')) stack.grantSend(outbox.relayRole);
  stack.monitoring.monitorOutbox('Outbox', outbox);
  new CfnOutput(stack, 'OutboxTableName', { value: outbox.table.tableName });
  return outbox;
}
