import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { lintTemplate } from '../helpers/cfn-lint.ts';

/* The topology's options for SNS's FIFO throughput scope and the Lambda event source's provisioned mode, as synthesized. */

const env = { account: '111111111111', region: 'eu-west-1' };
const lambda = { kind: 'lambda', entry: 'functions/notifications.ts' } as const;

describe('MessagingStack with the topology options AWS added in 2025', () => {
  const topology = {
    app: 'prices',
    events: { 'price.changed': { schema: z.object({}) }, 'stock.changed': { schema: z.object({}) } },
    topics: {
      prices: { events: ['price.changed'], fifo: true, fifoThroughputScope: 'MessageGroup' as const },
      stock: { events: ['stock.changed'] },
    },
    subscribers: {
      catalog: { topic: 'prices', events: ['price.changed'], handler: { ...lambda, provisionedPollers: { minimum: 3 } } },
      search: { topic: 'stock', events: ['stock.changed'], handler: lambda },
    },
  };
  const template = Template.fromStack(new MessagingStack(appWithoutBundling(), 'prices-dev', { topology, stage: 'dev', env }));

  it("gives a FIFO topic the throughput scope of its declaration", () => {
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'prices-dev-prices.fifo', FifoThroughputScope: 'MessageGroup' });
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'prices-dev-stock', FifoThroughputScope: Match.absent() });
  });

  it('runs a handler with provisioned pollers in provisioned mode (maximum 200 by default) and the others on demand, bounded by maxConcurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ProvisionedPollerConfig: { MinimumPollers: 3, MaximumPollers: 200 }, ScalingConfig: Match.absent() });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ProvisionedPollerConfig: Match.absent(), ScalingConfig: { MaximumConcurrency: 10 } });
  });

  it("passes cfn-lint with both, beyond the false positives named for Postbox", async () => {
    const templatePath = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-aws-options-')), 'template.json');
    writeFileSync(templatePath, JSON.stringify(template.toJSON()));
    expect((await lintTemplate(templatePath)).blocking).toEqual([]);
  });
});
