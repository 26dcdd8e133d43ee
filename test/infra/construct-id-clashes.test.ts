import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { stackGroupOf } from '../../lib/infra/stack-group-of.ts';
import type { TopologyDeclaration } from '../../lib/topology/topology-declaration.ts';
import { TopologyError } from '../../lib/topology/topology-error.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { mergedTemplate } from '../helpers/merged-template.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const Data = z.object({ id: z.string() });
const lambda = { kind: 'lambda' as const, entry: 'functions/notifications.ts' };

function topology(subscribers: TopologyDeclaration['subscribers']): TopologyDeclaration {
  return {
    app: 'shop',
    events: { 'item.added': { schema: Data } },
    topics: { items: { events: ['item.added'] } },
    subscribers,
  };
}

function synth(declaration: TopologyDeclaration, stackGroups = 4) {
  const app = appWithoutBundling();
  const stack = new MessagingStack(app, 'shop-dev', { topology: declaration, stage: 'dev', env, stackGroups });
  app.synth();
  return stack;
}

const refusal = (declaration: TopologyDeclaration) => {
  try {
    synth(declaration);
  } catch (error) {
    return error;
  }
  throw new Error('synthesis was not refused');
};

describe('names that would share a construct id', () => {
  it('refuses a declared stackGroup that a hashed group name shares a nested stack id with, naming both', () => {
    let hashed = '';
    for (let i = 0; hashed === ''; i++) if (stackGroupOf({ id: `s${i}` }, 4) === 'group-01') hashed = `s${i}`;
    const error = refusal(
      topology({
        [hashed]: { topic: 'items', events: ['item.added'], handler: lambda },
        other: { topic: 'items', events: ['item.added'], handler: lambda, stackGroup: 'group01' },
      }),
    );
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as Error).message).toContain("stack groups (a declared stackGroup, or group-<n> of 4 stackGroups) 'group-01' and 'group01' would share the construct id 'Group01'");
  });

  it('refuses subscribers whose names differ only by a hyphen, naming both and what to do', () => {
    const error = refusal(
      topology({
        'orders-2': { topic: 'items', events: ['item.added'], handler: lambda, stackGroup: 'g' },
        orders2: { topic: 'items', events: ['item.added'], handler: lambda, stackGroup: 'g' },
      }),
    );
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as Error).message).toContain("'orders-2' and 'orders2' would share the construct id 'Orders2' (hyphens are dropped from it); rename one of them");
  });

  it('gives every subscribed queue of a group one queue policy that lets its topic send, for worker and Lambda subscribers', () => {
    const stack = synth(
      topology({
        ledger: { topic: 'items', events: ['item.added'], handler: lambda, stackGroup: 'g' },
        mailer: { topic: 'items', events: ['item.added'], handler: { kind: 'worker' }, stackGroup: 'g' },
      }),
    );
    const resources = Object.values(mergedTemplate(stack).template.Resources) as Array<{ Type: string; Properties: any }>;
    const policies = resources.filter((resource) => resource.Type === 'AWS::SQS::QueuePolicy');
    const subscriptions = resources.filter((resource) => resource.Type === 'AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(2);
    for (const subscription of subscriptions) {
      const queueId = subscription.Properties.Endpoint['Fn::GetAtt'][0] as string;
      const covering = policies.filter((policy) => JSON.stringify(policy.Properties.Queues).includes(`"${queueId}"`));
      expect(covering, queueId).toHaveLength(1);
      const statements = covering[0]!.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
      expect(statements.some((statement) => statement.Effect === 'Allow' && JSON.stringify(statement.Principal).includes('sns') && JSON.stringify(statement.Resource).includes(`"${queueId}"`))).toBe(true);
    }
  });
});
