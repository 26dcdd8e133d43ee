import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

/** The orders topology with active tracing on its notifications handler. */
function withTracedNotifications(): typeof ordersTopology {
  const notifications = ordersTopology.subscribers!.notifications;
  return { ...ordersTopology, subscribers: { ...ordersTopology.subscribers, notifications: { ...notifications, handler: { ...notifications.handler, activeTracing: true } } } } as typeof ordersTopology;
}

function tracingModes(topology: typeof ordersTopology) {
  const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology, stage: 'dev', env });
  return Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .filter((fn) => fn.Properties.Description?.startsWith('Handles '))
    .map((fn) => [fn.Properties.Description, fn.Properties.TracingConfig?.Mode ?? 'off']);
}

describe('X-Ray active tracing, a topology option of Lambda handlers', () => {
  it('is off by default', () => {
    const modes = tracingModes(ordersTopology);
    expect(modes.length).toBeGreaterThan(0);
    expect(modes.every(([, mode]) => mode === 'off')).toBe(true);
  });

  it('is on for the Lambda handler whose topology says activeTracing, and only for it', () => {
    const modes = tracingModes(withTracedNotifications());
    expect(modes.filter(([, mode]) => mode === 'Active')).toEqual([[expect.stringContaining('orders-dev-notifications'), 'Active']]);
  });

  it('passes the AwsSolutions checks of cdk-nag: the X-Ray grant on every resource is acknowledged, with its reason', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new MessagingStack(app, 'orders-dev', { topology: withTracedNotifications(), stage: 'dev', env });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
  });
});
