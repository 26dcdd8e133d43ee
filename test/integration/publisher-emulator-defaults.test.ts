import { describe, expect, inject, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();

describe('a Publisher made with default clients', () => {
  it('reaches the emulator that AWS_ENDPOINT_URL names with no region or credentials in the environment, as the CLI does', async () => {
    const stage = uniqueStage();
    const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
    const saved = { ...process.env };
    process.env.AWS_ENDPOINT_URL = inject('awsEndpoint');
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) delete process.env[name];
    try {
      const publisher = new Publisher(paymentsTopology, { stage, source: 'script' });
      await publisher.publish('payment.received', { paymentId: 'p-1', amountCents: 100 });
    } finally {
      process.env = saved;
    }
    expect(await receiveAvailable(clients.sqs, provisioned.queues.get('accounting')!.url, { expected: 1 })).toHaveLength(1);
  });
});
