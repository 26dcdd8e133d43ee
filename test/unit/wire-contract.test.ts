import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { DEPLOYED_ENVIRONMENT, MESSAGE_KIND_ATTRIBUTE, MESSAGE_TYPE_ATTRIBUTE } from '../../lib/messages/wire-contract.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
const resources = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type);

const lib = path.resolve(import.meta.dirname, '../../lib');
const sources = (folder: string): Array<{ file: string; text: string }> =>
  readdirSync(path.join(lib, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file: path.join(folder, file), text: readFileSync(path.join(lib, folder, file), 'utf8') }));

describe('the wire contract', () => {
  it('names exactly the variables the stack sets on its Lambda consumers and worker tasks', () => {
    const { stage, accountId, queueUrl, deadLetterQueueUrl, resolvedQueue, jobLockTable, idempotencyTable, payloadBucket } = DEPLOYED_ENVIRONMENT;
    const functions = resources('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const names = Object.keys(fn.Properties.Environment.Variables).filter((name) => name !== 'NODE_OPTIONS');
      // Only the consumer of the example's idempotent queue (notifications) is given the idempotency table.
      const idempotent = String(fn.Properties.Description).endsWith('-notifications');
      expect(names.sort()).toEqual([stage, accountId, queueUrl, deadLetterQueueUrl, resolvedQueue, payloadBucket, ...(idempotent ? [idempotencyTable] : [])].sort());
    }
    const [task] = resources('AWS::ECS::TaskDefinition');
    const taskNames = (task!.Properties.ContainerDefinitions[0].Environment as Array<{ Name: string }>).map(({ Name }) => Name);
    expect(taskNames.sort()).toEqual([stage, accountId, jobLockTable, payloadBucket].sort());
  });

  it('names only variables that the runtime reads, through the contract', () => {
    // The stage is read in one place for the runtime (topology/stage-of.ts: stageOf, given the process's env).
    const runtime = [...sources('runtime'), ...sources('topology')].map(({ text }) => text).join('\n');
    for (const key of Object.keys(DEPLOYED_ENVIRONMENT)) expect(runtime, `DEPLOYED_ENVIRONMENT.${key}`).toMatch(new RegExp(`env\\[DEPLOYED_ENVIRONMENT\\.${key}\\]`));
  });

  it('is where the runtime and the stack take the variable names from: neither spells one itself', () => {
    const spelled = [...sources('runtime'), ...sources('infra')].filter(({ text }) => /['"`]POSTBOX_[A-Z_]+['"`]|process\.env\.POSTBOX_/.test(text)).map(({ file }) => file);
    expect(spelled).toEqual([]);
  });

  it('routes by the attributes the stack filters on', () => {
    const policies = resources('AWS::SNS::Subscription').map((subscription) => subscription.Properties.FilterPolicy);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(Object.keys(policy)).toEqual([MESSAGE_TYPE_ATTRIBUTE]);
    expect([MESSAGE_TYPE_ATTRIBUTE, MESSAGE_KIND_ATTRIBUTE]).toEqual(['type', 'kind']);
  });
});
