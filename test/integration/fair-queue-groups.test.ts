import { DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { emulatorKind } from '../../lib/local/embedded-emulator.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import { QueueActions } from '../../lib/runtime/consuming/queue-actions.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { queueById, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

/*
 * SQS fair queues: a standard queue whose messages carry a MessageGroupId (the tenant). The group must survive every
 * step Postbox takes with a message: publish through a standard topic, retry, dead-lettering and redrive.
 * fauxqs drops MessageGroupId on standard queues and topics (2.4.1: it keeps it for FIFO only), so the group is
 * followed on moto, which keeps and forwards it as SNS and SQS do; on fauxqs the publish is still shown to be accepted.
 */

const clients = emulatorClients();
const keepsStandardGroups = emulatorKind() === 'moto';

describe('a tenant (groupId) on a standard topic and queue: SQS fair queues', () => {
  it.runIf(keepsStandardGroups)('keeps the tenant through publish, retry, dead-lettering and redrive', async () => {
    const stage = uniqueStage();
    const topology = resolveTopology(paymentsTopology, { stage });
    const { url, deadLetterUrl } = (await provisionTopology(topology, clients)).queues.get('accounting')!;
    const publisher = new Publisher(paymentsTopology, { source: 'payments-service', stage, ...clients });
    await publisher.publish('payment.received', { paymentId: 'p-1', amountCents: 5 }, { id: 'e-fair', groupId: 'tenant-a' });

    const actions = new QueueActions(clients.sqs, queueById(topology, 'accounting')!, { queueUrl: url, deadLetterQueueUrl: deadLetterUrl });
    const [first] = await actions.receive(1, 5, 30);
    expect(first?.groupId).toBe('tenant-a');
    // A retry is a visibility change: the same message comes back, its group with it.
    await actions.changeVisibility(first!.receiptHandle, 0);
    const [retried] = await actions.receive(1, 5, 30);
    expect({ groupId: retried?.groupId, receiveCount: retried?.receiveCount }).toEqual({ groupId: 'tenant-a', receiveCount: 2 });

    await actions.deadLetter(retried!, { error: new UnrecoverableError('no such account'), handler: 'accounting', attempt: 2 });
    await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: retried!.receiptHandle }));
    const [deadLetter] = await receiveAvailable(clients.sqs, deadLetterUrl, { expected: 1, visibilitySeconds: 0 });
    expect(deadLetter?.Attributes?.MessageGroupId).toBe('tenant-a');

    const redrive = await postbox(stage, ['--json', 'dlq', 'redrive', 'accounting', '--client-side']);
    expect.soft(JSON.parse(redrive.out)).toMatchObject({ moved: 1 });
    const [back] = await receiveAvailable(clients.sqs, url, { expected: 1 });
    expect(back?.Attributes?.MessageGroupId).toBe('tenant-a');
    expect(JSON.parse(back!.Body!).id).toBe('e-fair');
  }, 40_000);

  it('sends a tenant to a standard topic and a standard command queue instead of refusing it', async () => {
    const stage = uniqueStage();
    const topology = resolveTopology(paymentsTopology, { stage });
    const provisioned = await provisionTopology(topology, clients);
    const publisher = new Publisher(paymentsTopology, { source: 'payments-service', stage, ...clients });
    await expect(publisher.publish('payment.received', { paymentId: 'p-2', amountCents: 5 }, { groupId: 'tenant-b' })).resolves.toMatchObject({ status: 'sent' });
    await expect(publisher.send('receipt.archive', { paymentId: 'p-2' }, { groupId: 'tenant-b' })).resolves.toMatchObject({ status: 'sent' });
    const [command] = await receiveAvailable(clients.sqs, provisioned.queues.get('receipt-archive')!.url, { expected: 1 });
    expect(command?.Attributes?.MessageGroupId).toBe(keepsStandardGroups ? 'tenant-b' : undefined);
  });
});
