import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

/**
 * The development profile keeps the alarms on messages that leave their path (dead letters). A publish without the
 * `type` attribute leaves it too, with no dead letter: every subscription's filter drops it and SNS says nothing but a
 * metric (fault review 22).
 */
describe('the development profile and messages lost without a dead letter', () => {
  it('alarms when SNS drops publishes that carry no type attribute, as the production profile does', () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env, profile: 'development' });
    const alarms = stack.monitoring.alarms.map((alarm) => alarm.node.id);
    for (const topic of stack.topology.topics) expect(alarms).toContain(`${topic.id}UntypedPublishes`);
  });
});
