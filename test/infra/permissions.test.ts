import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { reportsTopology } from '../fixtures/reports-service/reports-topology.ts';
import { ledgerTopology } from '../fixtures/ledger-service/ledger-topology.ts';
import { executeApiTarget } from '../../lib/topology/http-handler-declaration.ts';
import { awsCalls, type AwsCall, type CallPrincipal, type CallResource } from '../helpers/aws-calls.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { mergedTemplate } from '../helpers/merged-template.ts';
import { TemplatePolicies, type SimulatedRequest } from '../helpers/template-policies.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const otherAccount = '222222222222';

// The same calls allowed and refused with every handler in the one stack, and with the handlers in stack groups
// (nested stacks, one queue policy per handler, references across stacks).
// The development profile's topics use the AWS-managed key alias/aws/sns, whose key policy AWS sets (the template
// holds none): the simulation gives it that documented policy.
const AWS_MANAGED_SNS_KEY = 'AwsManagedSnsKey';
const awsManagedSnsKeyPolicy = {
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
};

describe.each([
  ['the example stack in one stack', undefined, 'production', ordersTopology],
  ['the example stack in stack groups', 5, 'production', ordersTopology],
  ['the example stack in one stack, development profile', undefined, 'development', ordersTopology],
  ['the example stack in stack groups, development profile', 5, 'development', ordersTopology],
  // Commands that reply to a Requester, handled by a Lambda function and by a worker.
  ['a stack of replying commands', undefined, 'production', reportsTopology],
  // Handlers of kind http: Secrets Manager secrets by name and by ARN, an API behind IAM.
  ['a stack of HTTP endpoint handlers', undefined, 'production', ledgerTopology],
] as const)('%s', (_, stackGroups, profile, topology) => {
  const example = topology === ordersTopology;
  // The stack, with a producer's role granted the documented way.
  const stack = new MessagingStack(appWithoutBundling(), `${topology.app}-dev`, {
    topology,
    stage: 'dev',
    env,
    outbox: example,
    schedules: true,
    profile,
    projectRoot: example ? process.cwd() : `test/fixtures/${topology.app}-service`,
    ...(stackGroups && { stackGroups }),
  });
  // A publisher granted the documented way: the simulation proves that these grants are enough.
  const publisher = new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
  if (stack.topics.size > 0) stack.grantPublish(publisher);
  stack.grantSend(publisher);
  stack.outbox?.grantWrite(publisher);
  stack.grantSchedule(publisher);
  stack.grantRequest(publisher);
  // With stack groups, the parent's and the groups' templates as one: the simulation follows policies across them.
  const merged = mergedTemplate(stack);
  merged.template.Resources[AWS_MANAGED_SNS_KEY] = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: awsManagedSnsKeyPolicy } };
  const policies = new TemplatePolicies(merged.template, env);

  const idOf = (construct: { node: { defaultChild?: unknown } } | undefined): string => {
    if (!construct) throw new Error('The stack has no such construct.');
    return merged.idOf(construct.node.defaultChild as never);
  };
  const must = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The stack has no ${what}.`);
    return value;
  };

  /** The VPC flow log's role and log group, found by the flow log that names them. */
  function flowLog(): { role: string; logGroup: string } {
    const [[, resource] = []] = policies.ofType('AWS::EC2::FlowLog');
    const props = must(resource, 'VPC flow log').Properties!;
    return { role: props.DeliverLogsPermissionArn['Fn::GetAtt'][0], logGroup: props.LogGroupName.Ref };
  }

  function roleOf(principal: Exclude<CallPrincipal, { kind: 'service' | 'subscriber-account' }>): string {
    switch (principal.kind) {
      case 'publisher':
        return idOf(publisher);
      case 'lambda-consumer':
        return idOf(must(stack.consumers.get(principal.queue), `Lambda consumer of ${principal.queue}`).role);
      case 'worker-task':
        return idOf(must(stack.workers, 'worker service').taskDefinition.taskRole);
      case 'worker-execution':
        return idOf(must(stack.workers, 'worker service').taskDefinition.obtainExecutionRole());
      case 'flow-logs':
        return flowLog().role;
      case 'outbox-relay':
        return idOf(must(stack.outbox, 'outbox').relayRole);
      case 'scheduler':
        return idOf(must(stack.schedules, 'schedules').role);
    }
  }

  /** The resource's ARN, and the logical id of the resource that holds its resource or key policy. */
  function resourceOf(resource: CallResource): { arn: string; policyHolder?: string } {
    const holding = (logicalId: string) => ({ arn: policies.arnOf(logicalId), policyHolder: logicalId });
    const queues = (id: string) => must(stack.queues.get(id), `queue ${id}`);
    const logStream = (logicalId: string) => ({ arn: policies.arnOf(logicalId).replace(/:\*$/, ':log-stream:a-stream') });
    switch (resource.kind) {
      case 'topic':
        return holding(idOf(must(stack.topics.get(resource.topic), `topic ${resource.topic}`).topic));
      case 'topic-key': {
        const key = must(stack.topics.get(resource.topic), `topic ${resource.topic}`).masterKey;
        return holding(key.node.defaultChild ? idOf(key) : AWS_MANAGED_SNS_KEY);
      }
      case 'queue':
        return holding(idOf(queues(resource.queue).queue));
      case 'dead-letter-queue':
        return holding(idOf(queues(resource.queue).deadLetterQueue));
      case 'delivery-dead-letter-queue':
        return holding(idOf(must(stack.subscriptions.get(resource.queue), `subscription ${resource.queue}`).deliveryDeadLetterQueue));
      case 'alarm-topic':
        return holding(idOf(stack.monitoring.alarmTopic));
      case 'alarm-topic-key':
        return holding(idOf(stack.monitoring.alarmTopic.masterKey));
      case 'log-stream':
        if (resource.logGroup === 'lambda-consumer') return logStream(idOf(must(stack.consumers.get(resource.queue!), `consumer ${resource.queue}`).logGroup));
        if (resource.logGroup === 'worker') return logStream(idOf(must(stack.workers, 'worker service').logGroup));
        if (resource.logGroup === 'outbox-relay') return logStream(idOf(must(stack.outbox, 'outbox').logGroup));
        return logStream(flowLog().logGroup);
      case 'log-group':
        return { arn: policies.arnOf(flowLog().logGroup) };
      case 'job-lock-table':
        return { arn: policies.arnOf(idOf(must(stack.jobLocks, 'job lock table').table)) };
      case 'idempotency-table':
        return { arn: policies.arnOf(idOf(must(stack.idempotency, 'idempotency table').table)) };
      case 'payload-bucket':
        return holding(idOf(must(stack.payloads, 'payload bucket').bucket));
      case 'payload-object':
        return { ...holding(idOf(must(stack.payloads, 'payload bucket').bucket)), arn: `${policies.arnOf(idOf(stack.payloads!.bucket))}/payloads/e-1/u-1` };
      case 'outbox-table':
        return { arn: policies.arnOf(idOf(must(stack.outbox, 'outbox').table)) };
      case 'outbox-stream':
        return { arn: policies.resolve({ 'Fn::GetAtt': [idOf(must(stack.outbox, 'outbox').table), 'StreamArn'] }) };
      case 'outbox-relay-failures':
        return holding(idOf(must(stack.outbox, 'outbox').failureQueue));
      case 'worker-image-repository':
        return { arn: workerImageRepositoryArn() };
      case 'worker-ecs-task':
        return { arn: ecsTaskArn(policies.resolve({ Ref: idOf(must(stack.workers, 'worker service').cluster) })) };
      case 'schedule':
        return { arn: `arn:aws:scheduler:${env.region}:${env.account}:schedule/${stack.topology.prefix}/postbox-m-1` };
      case 'scheduler-role':
        return { arn: policies.arnOf(idOf(must(stack.schedules, 'schedules').role)) };
      case 'reply-queue':
        return { arn: `arn:aws:sqs:${env.region}:${env.account}:${stack.topology.prefix}-replies-0a1b2c3d` };
      case 'scheduler-dead-letter-queue':
        return holding(idOf(must(stack.schedules, 'schedules').deadLetterQueue));
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

  const ecsTaskArn = (cluster: string) => `arn:aws:ecs:${env.region}:${env.account}:task/${cluster}/0a1b2c3d4e5f60718293a4b5c6d7e8f9`;

  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` of the worker container, as its repository's ARN. */
  function workerImageRepositoryArn(): string {
    const [[, taskDefinition] = []] = policies.ofType('AWS::ECS::TaskDefinition');
    const image: string = policies.resolve(must(taskDefinition, 'worker task definition').Properties!.ContainerDefinitions[0].Image);
    const [, account, region, repository] = must(/^(\d+)\.dkr\.ecr\.([^.]+)\.amazonaws\.com\/([^:@]+)/.exec(image) ?? undefined, `ECR image in ${image}`);
    return `arn:aws:ecr:${region}:${account}:repository/${repository}`;
  }

  /** The request of a listed call, as AWS would see it: over TLS, from this account, with the call's own context. */
  function requestOf(call: AwsCall, context: Record<string, string> = {}): SimulatedRequest {
    const { arn, policyHolder } = resourceOf(call.resource);
    const known: Record<string, string> = { 'aws:SecureTransport': 'true' };
    if (call.context?.sourceArn) known['aws:SourceArn'] = resourceOf(call.context.sourceArn).arn;
    if (call.context?.sourceAccount) known['aws:SourceAccount'] = env.account;
    if (call.context?.viaService) {
      known['kms:ViaService'] = `${call.context.viaService}.${env.region}.amazonaws.com`;
      known['kms:CallerAccount'] = env.account;
    }
    if (call.context?.s3Prefix) known['s3:prefix'] = call.context.s3Prefix;
    if (call.context?.passedToService) known['iam:PassedToService'] = call.context.passedToService;
    return {
      principal: principalOf(call.principal),
      action: call.action,
      resourceArn: arn,
      ...(policyHolder && { policyHolder }),
      context: { ...known, ...context },
    };
  }

  function principalOf(principal: CallPrincipal): SimulatedRequest['principal'] {
    if (principal.kind === 'service') return { service: principal.service };
    if (principal.kind === 'subscriber-account') throw new Error('The example stack allows no subscribers of other accounts (test/infra/permissions-cross-account.test.ts does).');
    return { role: roleOf(principal) };
  }

  const describeCall = (call: AwsCall): string => {
    const who = call.principal.kind === 'service' ? call.principal.service : Object.values(call.principal).join(' ');
    return `${who}: ${call.action} on ${Object.values(call.resource).join(' ')} (${call.purpose})`;
  };

  const calls = awsCalls(stack.topology, { outbox: example, schedules: true });

  describe('the permissions of the example stack, simulated', () => {
    it('lists calls for every role, topic and queue of the template', () => {
      const roles = new Set(calls.flatMap((call) => (call.principal.kind === 'service' || call.principal.kind === 'subscriber-account' ? [] : [roleOf(call.principal)])));
      const resources = new Set(calls.flatMap((call) => [call.resource, call.context?.sourceArn].flatMap((r) => (r ? [resourceOf(r).policyHolder] : []))));
      const idsOf = (type: string) => policies.ofType(type).map(([id]) => id);
      expect(idsOf('AWS::IAM::Role').filter((id) => !roles.has(id))).toEqual([]);
      expect([...idsOf('AWS::SNS::Topic'), ...idsOf('AWS::SQS::Queue'), ...idsOf('AWS::S3::Bucket')].filter((id) => !resources.has(id))).toEqual([]);
    });

    it.each(calls.map((call) => [describeCall(call), call] as const))('allows %s', async (_, call) => {
      expect(await policies.simulate(requestOf(call))).toBe('Allowed');
    });
  });

  if (topology === ledgerTopology) describe('the permissions of the HTTP endpoint handlers refuse', () => {
    const find = (predicate: (call: AwsCall) => boolean): AwsCall => must(calls.find(predicate), 'such call in the list');
    const readSecret = requestOf(find((call) => call.resource.kind === 'secret' && call.resource.secret === 'ledger/webhook'));
    const invoke = requestOf(find((call) => call.action === 'execute-api:Invoke'));

    it('the worker reading another secret, one whose name only starts with its own, or writing its own', async () => {
      expect(await policies.simulate({ ...readSecret, resourceArn: readSecret.resourceArn.replace('ledger/webhook', 'ledger/other') })).toBe('ImplicitlyDenied');
      expect(await policies.simulate({ ...readSecret, resourceArn: readSecret.resourceArn.replace('ledger/webhook', 'ledger/webhook-admin') })).toBe('ImplicitlyDenied');
      expect(await policies.simulate({ ...readSecret, action: 'secretsmanager:PutSecretValue' })).toBe('ImplicitlyDenied');
    });

    it('the worker calling the API with another method, on another resource, or another stage', async () => {
      expect(await policies.simulate({ ...invoke, resourceArn: invoke.resourceArn.replace('/POST/', '/DELETE/') })).toBe('ImplicitlyDenied');
      expect(await policies.simulate({ ...invoke, resourceArn: invoke.resourceArn.replace('/ledger/close', '/ledger/open') })).toBe('ImplicitlyDenied');
      expect(await policies.simulate({ ...invoke, resourceArn: invoke.resourceArn.replace('/prod/', '/test/') })).toBe('ImplicitlyDenied');
    });
  });

  if (example) describe('the permissions of the example stack refuse', () => {
    const find = (predicate: (call: AwsCall) => boolean): AwsCall => must(calls.find(predicate), 'such call in the list');
    const workerReceive = find((call) => call.principal.kind === 'worker-task' && call.action === 'sqs:ReceiveMessage');
    const notificationsDelete = find((call) => call.principal.kind === 'lambda-consumer' && call.principal.queue === 'notifications' && call.action === 'sqs:DeleteMessage');
    const publish = find((call) => call.principal.kind === 'publisher' && call.action === 'sns:Publish');
    const alarm = find((call) => call.resource.kind === 'alarm-topic');
    const alarmKey = find((call) => call.resource.kind === 'alarm-topic-key');
    const delivery = find((call) => call.principal.kind === 'service' && call.resource.kind === 'queue' && call.resource.queue === 'notifications');

    const consumerRead = find((call) => call.principal.kind === 'lambda-consumer' && call.action === 's3:GetObject');
    const publisherPut = find((call) => call.principal.kind === 'publisher' && call.action === 's3:PutObject');
    const consumerList = find((call) => call.principal.kind === 'lambda-consumer' && call.action === 's3:ListBucket');

    it('a consumer storing or deleting payloads, or reading outside the payload prefix', async () => {
      expect(await policies.simulate(requestOf({ ...consumerRead, action: 's3:PutObject' }))).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requestOf({ ...consumerRead, action: 's3:DeleteObject' }))).toBe('ImplicitlyDenied');
      const outside = { ...requestOf(consumerRead), resourceArn: requestOf(consumerRead).resourceArn.replace('/payloads/', '/elsewhere/') };
      expect(await policies.simulate(outside)).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requestOf(consumerList, { 's3:prefix': 'elsewhere/' }))).toBe('ImplicitlyDenied');
    });

    it('a publisher reading payloads, and anyone storing or reading them over plain HTTP or TLS 1.1', async () => {
      expect(await policies.simulate(requestOf({ ...publisherPut, action: 's3:GetObject' }))).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requestOf(publisherPut, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
      expect(await policies.simulate(requestOf(consumerRead, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
      expect(await policies.simulate(requestOf(consumerRead, { 's3:TlsVersion': '1.1' }))).toBe('ExplicitlyDenied');
    });

    it('a worker sending to a queue of another service', async () => {
      const call: AwsCall = { ...workerReceive, action: 'sqs:SendMessage', resource: { kind: 'queue', queue: 'notifications' } };
      expect(await policies.simulate(requestOf(call))).toBe('ImplicitlyDenied');
    });

    it('a worker protecting a task of another cluster from scale-in', async () => {
      const protect = find((call) => call.action === 'ecs:UpdateTaskProtection');
      expect(await policies.simulate({ ...requestOf(protect), resourceArn: ecsTaskArn('other-cluster') })).toBe('ImplicitlyDenied');
    });

    it('a consumer whose queue declares no idempotency touching the idempotency table, or an idempotent one scanning it', async () => {
      const claim = find((call) => call.resource.kind === 'idempotency-table' && call.action === 'dynamodb:PutItem');
      expect(await policies.simulate(requestOf({ ...claim, principal: { kind: 'lambda-consumer', queue: 'invoice-generate' } }))).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requestOf({ ...claim, principal: { kind: 'worker-task' } }))).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requestOf({ ...claim, action: 'dynamodb:Scan' }))).toBe('ImplicitlyDenied');
    });

    it('the outbox relay deleting from a table not its own, or sending to a queue of the stack not a command', async () => {
      const relayDelete = find((call) => call.principal.kind === 'outbox-relay' && call.action === 'dynamodb:DeleteItem');
      expect(await policies.simulate(requestOf({ ...relayDelete, resource: { kind: 'job-lock-table' } }))).toBe('ImplicitlyDenied');
      const relaySend = find((call) => call.principal.kind === 'outbox-relay' && call.action === 'sqs:SendMessage' && call.resource.kind === 'queue');
      expect(await policies.simulate(requestOf({ ...relaySend, resource: { kind: 'queue', queue: 'notifications' } }))).toBe('ImplicitlyDenied');
    });

    it('the schedules sending to a subscriber\'s queue, and a publisher passing their role to another service', async () => {
      const scheduledSend = find((call) => call.principal.kind === 'scheduler' && call.action === 'sqs:SendMessage' && call.resource.kind === 'queue');
      expect(await policies.simulate(requestOf({ ...scheduledSend, resource: { kind: 'queue', queue: 'notifications' } }))).toBe('ImplicitlyDenied');
      const pass = find((call) => call.action === 'iam:PassRole');
      expect(await policies.simulate(requestOf(pass, { 'iam:PassedToService': 'lambda.amazonaws.com' }))).toBe('ImplicitlyDenied');
      const create = find((call) => call.action === 'scheduler:CreateSchedule');
      const otherGroup = { ...requestOf(create), resourceArn: `arn:aws:scheduler:${env.region}:${env.account}:schedule/billing-dev/postbox-m-1` };
      expect(await policies.simulate(otherGroup)).toBe('ImplicitlyDenied');
    });

    it('a Lambda consumer deleting from a queue not its own', async () => {
      const call: AwsCall = { ...notificationsDelete, resource: { kind: 'queue', queue: 'invoice-generate' } };
      expect(await policies.simulate(requestOf(call))).toBe('ImplicitlyDenied');
    });

    it('publishing, notifying or receiving over plain HTTP', async () => {
      expect(await policies.simulate(requestOf(publish, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
      expect(await policies.simulate(requestOf(alarm, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
      expect(await policies.simulate(requestOf(workerReceive, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
    });

    it('CloudWatch publishing alarms for another account', async () => {
      expect(await policies.simulate(requestOf(alarm, { 'aws:SourceAccount': otherAccount }))).not.toBe('Allowed');
      expect(await policies.simulate(requestOf(alarmKey, { 'aws:SourceAccount': otherAccount }))).not.toBe('Allowed');
    });

    it('SNS delivering a topic of another account to a queue', async () => {
      const otherTopic = `arn:aws:sns:${env.region}:${otherAccount}:orders-dev-orders`;
      expect(await policies.simulate(requestOf(delivery, { 'aws:SourceArn': otherTopic }))).not.toBe('Allowed');
    });
  });
});
