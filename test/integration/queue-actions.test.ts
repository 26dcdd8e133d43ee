import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { DeleteBatcher } from '../../lib/runtime/polling/delete-batcher.ts';
import { DeleteFailedError } from '../../lib/runtime/polling/polling-errors.ts';
import { QueueActions } from '../../lib/runtime/queue-actions.ts';
import { queueById, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const clients = emulatorClients();

describe('deleting handled messages in batches', () => {
  it('deletes what SQS accepts and rejects, naming the queue, each entry it refuses', async () => {
    const topology = resolveTopology(paymentsTopology, { stage: uniqueStage() });
    const archive = (await provisionTopology(topology, clients)).queues.get('archive')!;
    const actions = new QueueActions(clients.sqs, queueById(topology, 'archive')!, { queueUrl: archive.url });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: archive.url, MessageBody: '{}' }));
    const [received] = await actions.receive(1, 5, 30);
    const batcher = new DeleteBatcher(actions, 'pay-archive');
    const results = await Promise.allSettled([batcher.delete(received!.receiptHandle), batcher.delete('not-a-receipt-handle')]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1].status).toBe('rejected');
    const error = (results[1] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(DeleteFailedError);
    expect(error.message).toMatch(/^Queue pay-archive did not delete a handled message \(ReceiptHandleIsInvalid: /);
    expect(await queueDepth(clients.sqs, archive.url)).toEqual(expect.objectContaining({ visible: 0, inFlight: 0 }));
  });
});
