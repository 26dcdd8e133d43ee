import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const topology = defineTopology({
  app: 'shop',
  events: { 'refund.made': { schema: z.object({ id: z.string() }) } },
  topics: { refunds: { events: ['refund.made'] } },
  subscribers: {
    // The file is functions/notifications.ts: the entry names one that is not there.
    refunds: { topic: 'refunds', events: ['refund.made'], handler: { kind: 'lambda', entry: 'functions/refund.ts' } },
  },
});

describe("a Lambda handler's entry", () => {
  it('that does not exist is a problem of the topology naming the handler and the file looked for, before bundling fails on it', () => {
    const synth = () => new MessagingStack(appWithoutBundling(), 'shop-dev', { topology, stage: 'dev', env: { account: '111111111111', region: 'eu-west-1' } });
    expect(synth).toThrowError(/Topology 'shop' has 1 problem:\n {2}- subscriber 'refunds': its entry 'functions\/refund\.ts' does not exist \(looked for .*functions\/refund\.ts\)/);
  });
});
