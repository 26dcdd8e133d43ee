import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ResolvedTopology } from '../topology/resolved-topology.ts';

/**
 * The requesters' reply queues of a stage, `<app>-<stage>-replies-*`: each Requester instance makes its own at start
 * and deletes it at stop, so no stack holds them and a grant names them by their prefix.
 */
export function replyQueuesArn(scope: Construct, prefix: string): string {
  return Stack.of(scope).formatArn({ service: 'sqs', resource: `${prefix}-replies-*` });
}

/** The command types of the topology that declare a reply. */
export function replyingCommands(topology: Pick<ResolvedTopology, 'commands'>): ReadonlySet<string> {
  return new Set(Object.entries(topology.commands).flatMap(([type, declared]) => (declared.reply ? [type] : [])));
}

/** Lets a handler's role reply: sqs:SendMessage on the stage's reply queues, and nothing else of them. */
export function grantReplying(role: iam.IRole, prefix: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [replyQueuesArn(role, prefix)] }));
  acknowledgeReplyQueueWildcard(role, prefix);
}

/**
 * Lets a requester make, read and delete its reply queue: the queue actions of a Requester on the stage's reply
 * queues. Sending the commands is `grantSend`'s.
 */
export function grantRequesting(grantee: iam.IGrantable, scope: Construct, prefix: string): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['sqs:CreateQueue', 'sqs:SetQueueAttributes', 'sqs:DeleteQueue', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'],
    resourceArns: [replyQueuesArn(scope, prefix)],
  });
  if (grantee instanceof iam.Role) acknowledgeReplyQueueWildcard(grantee, prefix);
  return grant;
}

/** cdk-nag's finding of the wildcard, named as it names it (the stack's region and account, or their pseudo parameters). */
function acknowledgeReplyQueueWildcard(role: Construct, prefix: string): void {
  const stack = Stack.of(role);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  Validations.of(role).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:${region}:${account}:${prefix}-replies-*]`,
    reason: "Reply queues are made by each Requester instance at start and deleted at stop; the wildcard is this stage's reply-queue prefix.",
  });
}
