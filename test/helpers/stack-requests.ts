import type * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnElement } from 'aws-cdk-lib';
import type { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { executeApiTarget } from '../../lib/topology/http-handler-declaration.ts';
import type { AwsCall, CallPrincipal, CallResource } from './aws-call.ts';
import { mergedTemplate } from './merged-template.ts';
import { TemplatePolicies, type FakeEnvironment, type SimulatedRequest } from './template-policies.ts';

// The development profile's topics use the AWS-managed key alias/aws/sns, whose key policy AWS sets (the template
// holds none): the simulation gives it that documented policy.
const AWS_MANAGED_SNS_KEY = 'AwsManagedSnsKey';
const awsManagedSnsKeyPolicy = (env: FakeEnvironment) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Allow access through SNS for all principals in the account that are authorized to use SNS',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': env.account, 'kms:ViaService': `sns.${env.region}.amazonaws.com` } },
    },
  ],
});

/**
 * The calls of `awsCalls` as AWS would see them made to a MessagingStack: each principal as the role of the stack (or
 * the granted publisher) that makes it, each resource as its ARN and the resource whose policy applies. With stack
 * groups, the parent's and the groups' templates as one: the simulation follows policies across them. Make it once
 * the stack has all its grants.
 */
export class StackRequests {
  readonly policies: TemplatePolicies;
  private readonly idOfElement: (element: CfnElement) => string;

  constructor(
    private readonly stack: MessagingStack,
    private readonly publisher: iam.IRole,
    private readonly env: FakeEnvironment,
  ) {
    const merged = mergedTemplate(stack);
    merged.template.Resources[AWS_MANAGED_SNS_KEY] = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: awsManagedSnsKeyPolicy(env) } };
    this.policies = new TemplatePolicies(merged.template, env);
    this.idOfElement = merged.idOf;
  }

  /** The request of a listed call, as AWS would see it: over TLS, from this account, with the call's own context. */
  requestOf(call: AwsCall, context: Record<string, string> = {}): SimulatedRequest {
    const { env } = this;
    const { arn, policyHolder } = this.resourceOf(call.resource);
    const known: Record<string, string> = { 'aws:SecureTransport': 'true' };
    if (call.context?.sourceArn) known['aws:SourceArn'] = this.resourceOf(call.context.sourceArn).arn;
    if (call.context?.sourceAccount) known['aws:SourceAccount'] = env.account;
    if (call.context?.viaService) {
      known['kms:ViaService'] = `${call.context.viaService}.${env.region}.amazonaws.com`;
      known['kms:CallerAccount'] = env.account;
    }
    if (call.context?.s3Prefix) known['s3:prefix'] = call.context.s3Prefix;
    if (call.context?.passedToService) known['iam:PassedToService'] = call.context.passedToService;
    return {
      principal: this.principalOf(call.principal),
      action: call.action,
      resourceArn: arn,
      ...(policyHolder && { policyHolder }),
      context: { ...known, ...context },
    };
  }

  /** The logical id of the role that makes the principal's calls. */
  roleOf(principal: Exclude<CallPrincipal, { kind: 'service' | 'subscriber-account' }>): string {
    const { stack } = this;
    switch (principal.kind) {
      case 'publisher':
        return this.idOf(this.publisher);
      case 'lambda-consumer':
        return this.idOf(must(stack.consumers.get(principal.queue), `Lambda consumer of ${principal.queue}`).role);
      case 'worker-task':
        return this.idOf(must(stack.workers, 'worker service').taskDefinition.taskRole);
      case 'worker-execution':
        return this.idOf(must(stack.workers, 'worker service').taskDefinition.obtainExecutionRole());
      case 'flow-logs':
        return this.flowLog().role;
      case 'outbox-relay':
        return this.idOf(must(stack.outbox, 'outbox').relayRole);
      case 'scheduler':
        return this.idOf(must(stack.schedules, 'schedules').role);
    }
  }

  /** The resource's ARN, and the logical id of the resource that holds its resource or key policy. */
  resourceOf(resource: CallResource): { arn: string; policyHolder?: string } {
    const { stack, policies, env } = this;
    const holding = (logicalId: string) => ({ arn: policies.arnOf(logicalId), policyHolder: logicalId });
    const queues = (id: string) => must(stack.queues.get(id), `queue ${id}`);
    const logStream = (logicalId: string) => ({ arn: policies.arnOf(logicalId).replace(/:\*$/, ':log-stream:a-stream') });
    switch (resource.kind) {
      case 'topic':
        return holding(this.idOf(must(stack.topics.get(resource.topic), `topic ${resource.topic}`).topic));
      case 'topic-key': {
        const key = must(stack.topics.get(resource.topic), `topic ${resource.topic}`).masterKey;
        return holding(key.node.defaultChild ? this.idOf(key) : AWS_MANAGED_SNS_KEY);
      }
      case 'queue':
        return holding(this.idOf(queues(resource.queue).queue));
      case 'dead-letter-queue':
        return holding(this.idOf(queues(resource.queue).deadLetterQueue));
      case 'delivery-dead-letter-queue':
        return holding(this.idOf(must(stack.subscriptions.get(resource.queue), `subscription ${resource.queue}`).deliveryDeadLetterQueue));
      case 'alarm-topic':
        return holding(this.idOf(stack.monitoring.alarmTopic));
      case 'alarm-topic-key':
        return holding(this.idOf(stack.monitoring.alarmTopic.masterKey));
      case 'log-stream':
        if (resource.logGroup === 'lambda-consumer') return logStream(this.idOf(must(stack.consumers.get(resource.queue!), `consumer ${resource.queue}`).logGroup));
        if (resource.logGroup === 'worker') return logStream(this.idOf(must(stack.workers, 'worker service').logGroup));
        if (resource.logGroup === 'outbox-relay') return logStream(this.idOf(must(stack.outbox, 'outbox').logGroup));
        return logStream(this.flowLog().logGroup);
      case 'log-group':
        return { arn: policies.arnOf(this.flowLog().logGroup) };
      case 'job-lock-table':
        return { arn: policies.arnOf(this.idOf(must(stack.jobLocks, 'job lock table').table)) };
      case 'idempotency-table':
        return { arn: policies.arnOf(this.idOf(must(stack.idempotency, 'idempotency table').table)) };
      case 'payload-bucket':
        return holding(this.idOf(must(stack.payloads, 'payload bucket').bucket));
      case 'payload-object':
        return { ...holding(this.idOf(must(stack.payloads, 'payload bucket').bucket)), arn: `${policies.arnOf(this.idOf(stack.payloads!.bucket))}/payloads/e-1/u-1` };
      case 'outbox-table':
        return { arn: policies.arnOf(this.idOf(must(stack.outbox, 'outbox').table)) };
      case 'outbox-stream':
        return { arn: policies.resolve({ 'Fn::GetAtt': [this.idOf(must(stack.outbox, 'outbox').table), 'StreamArn'] }) };
      case 'outbox-relay-failures':
        return holding(this.idOf(must(stack.outbox, 'outbox').failureQueue));
      case 'worker-image-repository':
        return { arn: this.workerImageRepositoryArn() };
      case 'worker-ecs-task':
        return { arn: this.ecsTaskArn(policies.resolve({ Ref: this.idOf(must(stack.workers, 'worker service').cluster) })) };
      case 'schedule':
        return { arn: `arn:aws:scheduler:${env.region}:${env.account}:schedule/${stack.topology.prefix}/postbox-m-1` };
      case 'scheduler-role':
        return { arn: policies.arnOf(this.idOf(must(stack.schedules, 'schedules').role)) };
      case 'reply-queue':
        return { arn: `arn:aws:sqs:${env.region}:${env.account}:${stack.topology.prefix}-replies-0a1b2c3d` };
      case 'scheduler-dead-letter-queue':
        return holding(this.idOf(must(stack.schedules, 'schedules').deadLetterQueue));
      case 'secret':
        return { arn: resource.secret.startsWith('arn:') ? resource.secret : `arn:aws:secretsmanager:${env.region}:${env.account}:secret:${resource.secret}-AbCdEf` };
      case 'api': {
        const api = must(executeApiTarget(new URL(resource.url)), `execute-api URL ${resource.url}`);
        return { arn: `arn:aws:execute-api:${api.region}:${env.account}:${api.apiId}/${api.stage}/POST/${api.path}` };
      }
      case 'any':
        return { arn: '*' };
      case 'external-topic':
        throw new Error('The example stack subscribes to no external topic (test/infra/permissions-cross-account.test.ts does).');
    }
  }

  /** The ARN of a task of the cluster. */
  ecsTaskArn(cluster: string): string {
    return `arn:aws:ecs:${this.env.region}:${this.env.account}:task/${cluster}/0a1b2c3d4e5f60718293a4b5c6d7e8f9`;
  }

  private principalOf(principal: CallPrincipal): SimulatedRequest['principal'] {
    if (principal.kind === 'service') return { service: principal.service };
    if (principal.kind === 'subscriber-account') throw new Error('The example stack allows no subscribers of other accounts (test/infra/permissions-cross-account.test.ts does).');
    return { role: this.roleOf(principal) };
  }

  private idOf(construct: { node: { defaultChild?: unknown } } | undefined): string {
    if (!construct) throw new Error('The stack has no such construct.');
    return this.idOfElement(construct.node.defaultChild as never);
  }

  /** The VPC flow log's role and log group, found by the flow log that names them. */
  private flowLog(): { role: string; logGroup: string } {
    const [[, resource] = []] = this.policies.ofType('AWS::EC2::FlowLog');
    const props = must(resource, 'VPC flow log').Properties!;
    return { role: props.DeliverLogsPermissionArn['Fn::GetAtt'][0], logGroup: props.LogGroupName.Ref };
  }

  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` of the worker container, as its repository's ARN. */
  private workerImageRepositoryArn(): string {
    const [[, taskDefinition] = []] = this.policies.ofType('AWS::ECS::TaskDefinition');
    const image: string = this.policies.resolve(must(taskDefinition, 'worker task definition').Properties!.ContainerDefinitions[0].Image);
    const [, account, region, repository] = must(/^(\d+)\.dkr\.ecr\.([^.]+)\.amazonaws\.com\/([^:@]+)/.exec(image) ?? undefined, `ECR image in ${image}`);
    return `arn:aws:ecr:${region}:${account}:repository/${repository}`;
  }
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The stack has no ${what}.`);
  return value;
}
