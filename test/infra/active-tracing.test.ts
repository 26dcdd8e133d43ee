import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

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
    const notifications = ordersTopology.subscribers!.notifications;
    const modes = tracingModes({ ...ordersTopology, subscribers: { ...ordersTopology.subscribers, notifications: { ...notifications, handler: { ...notifications.handler, activeTracing: true } } } } as typeof ordersTopology);
    expect(modes.filter(([, mode]) => mode === 'Active')).toEqual([[expect.stringContaining('orders-dev-notifications'), 'Active']]);
  });
});
