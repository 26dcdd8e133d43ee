import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { consumeInOrder } from '../helpers/queue-probe.ts';

const dedupTopology = defineTopology({
  app: 'dedup',
  events: { 'price.changed': { schema: z.object({ sku: z.string(), cents: z.number() }) } },
  topics: { prices: { events: ['price.changed'], fifo: true, contentBasedDeduplication: true } },
  subscribers: { catalog: { topic: 'prices', events: ['price.changed'], handler: { kind: 'worker' } } },
});

// moto gets SNS FIFO wrong: it delivers to the subscribed FIFO queue without the deduplication id the topic
// derived from the body (AWS passes it on), so the Publish fails with "The queue should either have
// ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly". fauxqs follows AWS here.
describe.skipIf(process.env.POSTBOX_EMULATOR === 'moto')('a FIFO topic with content-based deduplication', () => {
  it('takes a plain publish without a deduplication id, and delivers the same body published twice once', async () => {
    const clients = emulatorClients();
    const provisioned = await provisionTopology(resolveTopology(dedupTopology, { stage: uniqueStage() }), clients);
    const publish = (body: string) =>
      clients.sns.send(
        new PublishCommand({
          TopicArn: provisioned.topicArns.get('prices'),
          Message: body,
          MessageGroupId: 'sku-1',
          MessageAttributes: { type: { DataType: 'String', StringValue: 'price.changed' } },
        }),
      );
    const changed = JSON.stringify({ sku: 'sku-1', cents: 100 });
    const later = JSON.stringify({ sku: 'sku-1', cents: 90 });
    await publish(changed);
    await publish(changed);
    // One group is delivered in order: once `later` arrives, a duplicate of `changed` would have come before it.
    await publish(later);
    const received = await consumeInOrder(clients.sqs, provisioned.queues.get('catalog')!.url, 2);
    expect(received.map((message) => message.Body)).toEqual([changed, later]);
  });
});
