import { describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { DestinationAddresses } from '../../lib/runtime/publishing/destination-addresses.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const clients = emulatorClients();

describe('DestinationAddresses at a local endpoint', () => {
  it('finds the topic of each stage for one topic id: a record of another stage never goes to the first one found', async () => {
    const [first, second] = [uniqueStage(), uniqueStage()];
    const arns = await Promise.all([first, second].map(async (stage) => (await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients)).topicArns.get('payments')!));
    const addresses = new DestinationAddresses(clients.sns, clients.sqs);
    const topic = (stage: string) => ({ kind: 'topic' as const, id: 'payments', name: `pay-${stage}-payments`, fifo: false, maxMessageBytes: 262_144, maxBatchBytes: 262_144 });
    expect(await addresses.of(topic(first))).toBe(arns[0]);
    expect(await addresses.of(topic(second))).toBe(arns[1]);
  });
});
