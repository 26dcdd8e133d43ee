import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { reportsTopology } from '../fixtures/reports-service/reports-topology.ts';
import { ledgerTopology } from '../fixtures/ledger-service/ledger-topology.ts';
import type { AwsCall } from '../helpers/aws-call.ts';
import { awsCalls } from '../helpers/aws-calls.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { StackRequests } from '../helpers/stack-requests.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const otherAccount = '222222222222';

// The same calls allowed and refused with every handler in the one stack, and with the handlers in stack groups
// (nested stacks, one queue policy per handler, references across stacks).
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
  const requests = new StackRequests(stack, publisher, env);
  const { policies } = requests;

  const describeCall = (call: AwsCall): string => {
    const who = call.principal.kind === 'service' ? call.principal.service : Object.values(call.principal).join(' ');
    return `${who}: ${call.action} on ${Object.values(call.resource).join(' ')} (${call.purpose})`;
  };

  const calls = awsCalls(stack.topology, { outbox: example, schedules: true });
  const find = (predicate: (call: AwsCall) => boolean): AwsCall => {
    const call = calls.find(predicate);
    if (call === undefined) throw new Error('The stack has no such call in the list.');
    return call;
  };

  describe('the permissions of the example stack, simulated', () => {
    it('lists calls for every role, topic and queue of the template', () => {
      const roles = new Set(calls.flatMap((call) => (call.principal.kind === 'service' || call.principal.kind === 'subscriber-account' ? [] : [requests.roleOf(call.principal)])));
      const resources = new Set(calls.flatMap((call) => [call.resource, call.context?.sourceArn].flatMap((r) => (r ? [requests.resourceOf(r).policyHolder] : []))));
      const idsOf = (type: string) => policies.ofType(type).map(([id]) => id);
      expect(idsOf('AWS::IAM::Role').filter((id) => !roles.has(id))).toEqual([]);
      expect([...idsOf('AWS::SNS::Topic'), ...idsOf('AWS::SQS::Queue'), ...idsOf('AWS::S3::Bucket')].filter((id) => !resources.has(id))).toEqual([]);
    });

    it.each(calls.map((call) => [describeCall(call), call] as const))('allows %s', async (_, call) => {
      expect(await policies.simulate(requests.requestOf(call))).toBe('Allowed');
    });
  });

  if (topology === ledgerTopology) describe('the permissions of the HTTP endpoint handlers refuse', () => {
    const readSecret = requests.requestOf(find((call) => call.resource.kind === 'secret' && call.resource.secret === 'ledger/webhook'));
    const invoke = requests.requestOf(find((call) => call.action === 'execute-api:Invoke'));

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
      expect(await policies.simulate(requests.requestOf({ ...consumerRead, action: 's3:PutObject' }))).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requests.requestOf({ ...consumerRead, action: 's3:DeleteObject' }))).toBe('ImplicitlyDenied');
      const outside = { ...requests.requestOf(consumerRead), resourceArn: requests.requestOf(consumerRead).resourceArn.replace('/payloads/', '/elsewhere/') };
      expect(await policies.simulate(outside)).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requests.requestOf(consumerList, { 's3:prefix': 'elsewhere/' }))).toBe('ImplicitlyDenied');
    });

    it('a publisher reading payloads, and anyone storing or reading them over plain HTTP or TLS 1.1', async () => {
      expect(await policies.simulate(requests.requestOf({ ...publisherPut, action: 's3:GetObject' }))).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requests.requestOf(publisherPut, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
      expect(await policies.simulate(requests.requestOf(consumerRead, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
      expect(await policies.simulate(requests.requestOf(consumerRead, { 's3:TlsVersion': '1.1' }))).toBe('ExplicitlyDenied');
    });

    it('a worker sending to a queue of another service', async () => {
      const call: AwsCall = { ...workerReceive, action: 'sqs:SendMessage', resource: { kind: 'queue', queue: 'notifications' } };
      expect(await policies.simulate(requests.requestOf(call))).toBe('ImplicitlyDenied');
    });

    it('a worker protecting a task of another cluster from scale-in', async () => {
      const protect = find((call) => call.action === 'ecs:UpdateTaskProtection');
      expect(await policies.simulate({ ...requests.requestOf(protect), resourceArn: requests.ecsTaskArn('other-cluster') })).toBe('ImplicitlyDenied');
    });

    it('a consumer whose queue declares no idempotency touching the idempotency table, or an idempotent one scanning it', async () => {
      const claim = find((call) => call.resource.kind === 'idempotency-table' && call.action === 'dynamodb:PutItem');
      expect(await policies.simulate(requests.requestOf({ ...claim, principal: { kind: 'lambda-consumer', queue: 'invoice-generate' } }))).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requests.requestOf({ ...claim, principal: { kind: 'worker-task' } }))).toBe('ImplicitlyDenied');
      expect(await policies.simulate(requests.requestOf({ ...claim, action: 'dynamodb:Scan' }))).toBe('ImplicitlyDenied');
    });

    it('the outbox relay deleting from a table not its own, or sending to a queue of the stack not a command', async () => {
      const relayDelete = find((call) => call.principal.kind === 'outbox-relay' && call.action === 'dynamodb:DeleteItem');
      expect(await policies.simulate(requests.requestOf({ ...relayDelete, resource: { kind: 'job-lock-table' } }))).toBe('ImplicitlyDenied');
      const relaySend = find((call) => call.principal.kind === 'outbox-relay' && call.action === 'sqs:SendMessage' && call.resource.kind === 'queue');
      expect(await policies.simulate(requests.requestOf({ ...relaySend, resource: { kind: 'queue', queue: 'notifications' } }))).toBe('ImplicitlyDenied');
    });

    it('the schedules sending to a subscriber\'s queue, and a publisher passing their role to another service', async () => {
      const scheduledSend = find((call) => call.principal.kind === 'scheduler' && call.action === 'sqs:SendMessage' && call.resource.kind === 'queue');
      expect(await policies.simulate(requests.requestOf({ ...scheduledSend, resource: { kind: 'queue', queue: 'notifications' } }))).toBe('ImplicitlyDenied');
      const pass = find((call) => call.action === 'iam:PassRole');
      expect(await policies.simulate(requests.requestOf(pass, { 'iam:PassedToService': 'lambda.amazonaws.com' }))).toBe('ImplicitlyDenied');
      const create = find((call) => call.action === 'scheduler:CreateSchedule');
      const otherGroup = { ...requests.requestOf(create), resourceArn: `arn:aws:scheduler:${env.region}:${env.account}:schedule/billing-dev/postbox-m-1` };
      expect(await policies.simulate(otherGroup)).toBe('ImplicitlyDenied');
    });

    it('a Lambda consumer deleting from a queue not its own', async () => {
      const call: AwsCall = { ...notificationsDelete, resource: { kind: 'queue', queue: 'invoice-generate' } };
      expect(await policies.simulate(requests.requestOf(call))).toBe('ImplicitlyDenied');
    });

    it('publishing, notifying or receiving over plain HTTP', async () => {
      expect(await policies.simulate(requests.requestOf(publish, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
      expect(await policies.simulate(requests.requestOf(alarm, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
      expect(await policies.simulate(requests.requestOf(workerReceive, { 'aws:SecureTransport': 'false' }))).toBe('ExplicitlyDenied');
    });

    it('CloudWatch publishing alarms for another account', async () => {
      expect(await policies.simulate(requests.requestOf(alarm, { 'aws:SourceAccount': otherAccount }))).not.toBe('Allowed');
      expect(await policies.simulate(requests.requestOf(alarmKey, { 'aws:SourceAccount': otherAccount }))).not.toBe('Allowed');
    });

    it('SNS delivering a topic of another account to a queue', async () => {
      const otherTopic = `arn:aws:sns:${env.region}:${otherAccount}:orders-dev-orders`;
      expect(await policies.simulate(requests.requestOf(delivery, { 'aws:SourceArn': otherTopic }))).not.toBe('Allowed');
    });
  });
});
