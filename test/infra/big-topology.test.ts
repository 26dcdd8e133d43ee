import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { postboxConfigSchema } from '../../lib/config/postbox-config.ts';
import { loadProjectConfig } from '../../lib/config/load-project-config.ts';
import { createMessagingApp, messagingAppMain } from '../../lib/infra/messaging-app.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { MAX_DASHBOARD_WIDGETS } from '../../lib/infra/monitoring-dashboards.ts';
import { MAX_STACK_RESOURCES, StackResourceLimitError } from '../../lib/infra/resource-limit.ts';
import { stackGroupOf } from '../../lib/infra/stack-group-of.ts';
import type { TopologyDeclaration } from '../../lib/topology/topology-declaration.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { lintTemplate } from '../helpers/cfn-lint.ts';
import { aBigTopology } from '../helpers/topology-factory.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const STACK_GROUPS = 32;
/** CloudFormation's largest template given by S3 URL, as nested stacks are. */
const MAX_TEMPLATE_BYTES = 1_000_000;

type Json = Record<string, any>;

/** The stack's template and each of its groups' templates, by group name, synthesized once. */
function synthesize(topology: TopologyDeclaration, stackGroups?: number): { stack: MessagingStack; parent: Json; groups: Map<string, Json> } {
  const app = appWithoutBundling();
  const stack = new MessagingStack(app, 'big-dev', { topology, stage: 'dev', env, ...(stackGroups && { stackGroups }) });
  app.synth();
  const groups = new Map([...stack.groups].map(([group, nested]) => [group, Template.fromStack(nested).toJSON()]));
  return { stack, parent: Template.fromStack(stack).toJSON(), groups };
}

/** A dashboard body as deployed, with a 20-character stand-in for each reference (a region, a queue name). */
function bodyOf(body: Json | string): string {
  if (typeof body === 'string') return body;
  return (body['Fn::Join'][1] as Array<string | Json>).map((part) => (typeof part === 'string' ? part : 'x'.repeat(20))).join('');
}

const resourceCount = (template: Json) => Object.keys(template.Resources).length;

describe('a topology of 300 Lambda subscribers and 100 command handlers in stack groups', () => {
  const before = synthesize(aBigTopology({ subscribers: 300, commands: 100 }), STACK_GROUPS);

  it('keeps every stack, the parent and each group, under CloudFormation limits of 500 resources and 1 MB of template', () => {
    const templates = [before.parent, ...before.groups.values()];
    expect(before.groups.size).toBe(STACK_GROUPS);
    for (const template of templates) {
      expect(resourceCount(template)).toBeLessThan(MAX_STACK_RESOURCES);
      expect(JSON.stringify(template).length).toBeLessThan(MAX_TEMPLATE_BYTES);
    }
    // Every handler is built, in one group or another: 300 subscriptions, 400 consumers.
    const count = (type: string) => [...before.groups.values()].reduce((sum, template) => sum + Object.values<Json>(template.Resources).filter((r) => r.Type === type).length, 0);
    expect(count('AWS::SNS::Subscription')).toBe(300);
    expect(count('AWS::Lambda::Function')).toBe(400);
  });

  it('gives a Lambda subscriber 13 resources instead of 17: one queue policy for its three queues, three alarms instead of five', () => {
    const alone = synthesize(aBigTopology({ subscribers: 1 }), STACK_GROUPS);
    const [template] = [...alone.groups.values()];
    const types = Object.values<Json>(template!.Resources).map((resource) => resource.Type as string);
    expect(types.filter((type) => type !== 'AWS::CloudWatch::Dashboard')).toHaveLength(13);
    expect(types.filter((type) => type === 'AWS::SQS::QueuePolicy')).toHaveLength(1);
    expect(types.filter((type) => type === 'AWS::CloudWatch::Alarm')).toHaveLength(3);
  });

  it('adding one subscriber changes only its own group: every other group template and its nested stack resource stay as they were', () => {
    const after = synthesize(aBigTopology({ subscribers: 301, commands: 100 }), STACK_GROUPS);
    const ownGroup = stackGroupOf({ id: 'subscriber-0300' }, STACK_GROUPS);
    const changed = [...after.groups.keys()].filter((group) => JSON.stringify(after.groups.get(group)) !== JSON.stringify(before.groups.get(group)));
    expect(changed).toEqual([ownGroup]);
    // In the parent, no resource goes away or changes besides the new subscriber's group stack.
    const parentBefore = before.parent.Resources as Json;
    const parentAfter = after.parent.Resources as Json;
    const ownStackId = after.stack.getLogicalId(after.stack.groups.get(ownGroup)!.nestedStackResource!);
    const changedInParent = Object.keys(parentBefore).filter((id) => JSON.stringify(parentBefore[id]) !== JSON.stringify(parentAfter[id]));
    expect(changedInParent).toEqual([ownStackId]);
  });

  it('puts a handler with a stackGroup in that group, whatever its name hashes to', () => {
    const topology = aBigTopology({ subscribers: 3 });
    const subscribers = { ...topology.subscribers, 'subscriber-0001': { ...topology.subscribers!['subscriber-0001']!, stackGroup: 'payments' } };
    const { stack } = synthesize({ ...topology, subscribers }, STACK_GROUPS);
    expect(stack.groups.get('payments')?.node.findChild('Subscriber0001Queue')).toBeDefined();
  });

  it('refuses a stackGroup that is no resource name, naming the handler', () => {
    const topology = aBigTopology({ subscribers: 1 });
    const subscribers = { 'subscriber-0000': { ...topology.subscribers!['subscriber-0000']!, stackGroup: 'Payments!' } };
    expect(() => synthesize({ ...topology, subscribers }, STACK_GROUPS)).toThrow(/subscribers\.subscriber-0000\.stackGroup: use lower-case letters/);
  });

  it('gives each group a dashboard of its own within CloudWatch limits', () => {
    for (const template of [before.parent, ...before.groups.values()]) {
      for (const dashboard of Object.values<Json>(template.Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Dashboard')) {
        const body = bodyOf(dashboard.Properties.DashboardBody);
        expect(JSON.parse(body).widgets.length).toBeGreaterThan(0);
        expect(JSON.parse(body).widgets.length).toBeLessThanOrEqual(MAX_DASHBOARD_WIDGETS);
        expect(body.length).toBeLessThan(100_000);
      }
    }
  });
});

describe("a grouped subscriber of another service's topic in an opt-in region", () => {
  it('has one queue policy for its three queues: TLS only on all, and that topic alone, as SNS of its region, sending to the queue and its delivery DLQ', () => {
    const topicArn = 'arn:aws:sns:ap-east-1:333333333333:partner-prod-orders';
    const topology: TopologyDeclaration = {
      app: 'billing',
      events: { 'order.placed': { schema: z.object({ orderId: z.string() }) } },
      topics: {},
      externalTopics: { asia: { arn: topicArn, events: ['order.placed'] } },
      subscribers: { asian: { topic: 'asia', events: ['order.placed'], handler: { kind: 'lambda', entry: 'functions/notifications.ts' } } },
    };
    const { stack, groups } = synthesize(topology, STACK_GROUPS);
    const [group] = stack.groups.values();
    const template = groups.get(group!.group)!;
    const arnOf = (queue: { node: { defaultChild?: unknown } }) => ({ 'Fn::GetAtt': [group!.getLogicalId(queue.node.defaultChild as never), 'Arn'] });
    const refOf = (queue: { node: { defaultChild?: unknown } }) => ({ Ref: group!.getLogicalId(queue.node.defaultChild as never) });
    const queues = stack.queues.get('asian')!;
    const deliveryDlq = stack.subscriptions.get('asian')!.deliveryDeadLetterQueue;
    const policies = Object.values<Json>(template.Resources).filter((resource) => resource.Type === 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    expect(policy!.Properties.Queues).toEqual([refOf(queues.queue), refOf(queues.deadLetterQueue), refOf(deliveryDlq)]);
    expect(policy!.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: [arnOf(queues.queue), arnOf(queues.deadLetterQueue), arnOf(deliveryDlq)] }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'sns.ap-east-1.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
        Resource: [arnOf(queues.queue), arnOf(deliveryDlq)],
      }),
    ]);
  });
});

describe('stackGroups in postbox.config.ts', () => {
  it('splits the stack into that many nested stacks, and a config without it keeps one stack', async () => {
    const app = (file: string) => createMessagingApp({ file: `test/fixtures/payments-service/${file}`, app: appWithoutBundling(), stack: { env: { account: '111111111111', region: 'eu-west-1' } } });
    const grouped = (await app('postbox.groups.config.ts')).stack;
    expect(grouped.groups.size).toBeGreaterThan(0);
    expect(grouped.groups.size).toBeLessThanOrEqual(2);
    expect((await app('postbox.config.ts')).stack.groups.size).toBe(0);
  });

  it('is refused below 1 when the config is loaded', () => {
    expect(postboxConfigSchema.safeParse({ topology: './t.ts', stackGroups: 0 }).error?.issues[0]?.message).toMatch(/at least 1 stack group/);
  });
});

describe('a single stack', () => {
  it('fails synthesis, naming stackGroups, when its handlers take it past 500 resources', () => {
    const app = appWithoutBundling();
    new MessagingStack(app, 'big-dev', { topology: aBigTopology({ subscribers: 40 }), stage: 'dev', env });
    expect(() => app.synth()).toThrow(/has \d+ resources, more than CloudFormation's 500: split the handlers into nested stacks with stackGroups \(in postbox.config.ts, or the MessagingStack prop\)/);
  });

  it('fails synthesis for a full group with the remedy that fits it: more groups for a hashed one, fewer handlers for a named one', () => {
    const hashed = appWithoutBundling();
    new MessagingStack(hashed, 'big-dev', { topology: aBigTopology({ subscribers: 40 }), stage: 'dev', env, stackGroups: 1 });
    expect(() => hashed.synth()).toThrow(/stack big-dev\/Group00Stack has \d+ resources, more than CloudFormation's 500: give the handlers more room with a larger stackGroups/);
    const topology = aBigTopology({ subscribers: 40 });
    const named = appWithoutBundling();
    const subscribers = Object.fromEntries(Object.entries(topology.subscribers!).map(([id, subscriber]) => [id, { ...subscriber, stackGroup: 'fanout' }]));
    new MessagingStack(named, 'big-dev', { topology: { ...topology, subscribers }, stage: 'dev', env, stackGroups: 4 });
    expect(() => named.synth()).toThrow(/has \d+ resources, more than CloudFormation's 500: move some of the handlers whose stackGroup is 'fanout' to another stackGroup/);
  });

  it('warns that a stackGroup counts only when stackGroups is set, naming the handlers', () => {
    const topology = aBigTopology({ subscribers: 3 });
    const subscribers = Object.fromEntries(Object.entries(topology.subscribers!).map(([id, subscriber]) => [id, { ...subscriber, stackGroup: 'fanout' }]));
    const warningsOf = (stackGroups?: number) => {
      const stack = new MessagingStack(appWithoutBundling(), 'big-dev', { topology: { ...topology, subscribers }, stage: 'dev', env, ...(stackGroups && { stackGroups }) });
      return stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => String(entry.data));
    };
    expect(warningsOf()).toEqual([expect.stringMatching(/^.+, .+, .+ name a stackGroup, which counts only when stackGroups is set \(postbox\.config\.ts, or the MessagingStack prop\); every handler is in this one stack/)]);
    expect(warningsOf(2)).toEqual([]);
  });

  it('is refused by createMessagingApp before synthesis, and messagingAppMain says so in one line and exits 2', async () => {
    // The payments service's config with 40 Lambda subscribers and no stackGroups; entries are found from here.
    const config = { ...(await loadProjectConfig({ file: 'test/fixtures/payments-service/postbox.config.ts' })), topology: aBigTopology({ subscribers: 40 }), root: process.cwd() };
    const options = { config, app: appWithoutBundling(), stack: { env } };
    const refusal = await createMessagingApp(options).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(StackResourceLimitError);
    expect((refusal as StackResourceLimitError).message).toMatch(
      /^stack big-dev has \d+ resources, more than CloudFormation's 500: split the handlers into nested stacks with stackGroups .*\. Nothing was synthesized\.$/,
    );

    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((line) => written.push(String(line)) > 0);
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    try {
      await expect(messagingAppMain({ ...options, app: appWithoutBundling() })).rejects.toThrow('exit 2');
    } finally {
      vi.restoreAllMocks();
    }
    expect(written).toEqual([expect.stringMatching(/^postbox: stack big-dev has \d+ resources, more than CloudFormation's 500: .*\n$/)]);
  });

  it('starts a second dashboard rather than pass 500 widgets on one', () => {
    // 70 Lambda subscribers in one group: 8 widgets each, 560.
    const stack = new MessagingStack(appWithoutBundling(), 'big-dev', { topology: aBigTopology({ subscribers: 70 }), stage: 'dev', env, stackGroups: 1 });
    const [group] = stack.groups.values();
    expect(group!.monitoring.dashboards.length).toBe(2);
    expect(group!.monitoring.dashboards.map((dashboard) => (dashboard.node.defaultChild as unknown as { dashboardName: string }).dashboardName)).toEqual(['big-dev-group-00', 'big-dev-group-00-2']);
  });
});

describe('the example topology in stack groups', () => {
  it('passes cdk-nag in every stack, and cfn-lint on the parent and each group template', async () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-groups-')), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new MessagingStack(app, 'orders-dev', { topology: ordersTopology, stage: 'dev', env, outbox: true, stackGroups: 5 });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    // Five groups put each of its three handlers (two Lambda, one worker) in a group of its own.
    expect(stack.groups.size).toBe(3);
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
    const nestedTemplates = readdirSync(assembly.directory).filter((name) => name.endsWith('.nested.template.json'));
    expect(nestedTemplates).toHaveLength(stack.groups.size);
    for (const template of [assembly.getStackByName('orders-dev').templateFullPath, ...nestedTemplates.map((name) => path.join(assembly.directory, name))]) {
      const { blocking } = await lintTemplate(template);
      expect(blocking).toEqual([]);
    }
    // cfn-lint runs once a template, four times here: minutes on a busy machine.
  }, 300_000);
});

describe('Lambda handlers sharing an entry file', () => {
  it('are bundled into one asset, which every one of them deploys, across stack groups', () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-shared-entry-')) });
    const stack = new MessagingStack(app, 'big-dev', { topology: aBigTopology({ subscribers: 3 }), stage: 'dev', env, stackGroups: 32 });
    const assembly = app.synth();
    expect(stack.groups.size).toBe(3);
    const bundles = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.') && readdirSync(path.join(assembly.directory, name)).includes('index.mjs'));
    expect(bundles).toHaveLength(1);
    const keys = [...stack.groups.values()].flatMap((group) => Object.values<Json>(Template.fromStack(group).findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Code.S3Key));
    expect(keys).toEqual([`${bundles[0]!.slice('asset.'.length)}.zip`, `${bundles[0]!.slice('asset.'.length)}.zip`, `${bundles[0]!.slice('asset.'.length)}.zip`]);
  });
});
