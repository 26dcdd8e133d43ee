import { CreateQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { DeleteBatcher } from '../../lib/runtime/consuming/polling/delete-batcher.ts';
import { DeleteFailedError } from '../../lib/runtime/consuming/polling/polling-errors.ts';
import { readFailureRecord } from '../../lib/messages/failure-record.ts';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import { DeadLetterFailedError, DeadLetterTooLargeError } from '../../lib/runtime/consuming/dead-letter-errors.ts';
import { QueueActions } from '../../lib/runtime/consuming/queue-actions.ts';
import { QueueDoesNotExistError } from '../../lib/aws/aws-errors.ts';
import { queueById, resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { refusingUnknownReceiptHandles } from '../helpers/fault-injecting-sqs.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();

describe('deleting handled messages in batches', () => {
  it('deletes what SQS accepts and rejects, naming the queue, each entry it refuses', async () => {
    const topology = resolveTopology(paymentsTopology, { stage: uniqueStage() });
    const archive = (await provisionTopology(topology, clients)).queues.get('archive')!;
    const actions = new QueueActions(refusingUnknownReceiptHandles(clients.sqs), queueById(topology, 'archive')!, { queueUrl: archive.url });
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

describe('a queue that was never provisioned', () => {
  it('fails receives with a QueueDoesNotExistError that names the queue, the endpoint and what to do', async () => {
    const topology = resolveTopology(paymentsTopology, { stage: uniqueStage() });
    const actions = new QueueActions(clients.sqs, queueById(topology, 'archive')!);
    const error = await actions.receive(1, 0, 30).then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(QueueDoesNotExistError);
    expect((error as Error).message).toBe(
      `queue ${queueById(topology, 'archive')!.name} does not exist at ${inject('awsEndpoint')}; deploy the stack for this stage with cdk deploy, or create it at an emulator with postbox provision`,
    );
  });
});

describe('dead-lettering', () => {
  async function setUp(deadLetterQueueUrl?: string, sqs: SQSClient = clients.sqs) {
    const topology = resolveTopology(paymentsTopology, { stage: uniqueStage() });
    const archive = (await provisionTopology(topology, clients)).queues.get('archive')!;
    const actions = new QueueActions(sqs, queueById(topology, 'archive')!, { queueUrl: archive.url, deadLetterQueueUrl: deadLetterQueueUrl ?? archive.deadLetterUrl });
    const receiveOne = async (body: string) => {
      const { MessageId } = await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: archive.url, MessageBody: body, MessageAttributes: { type: { DataType: 'String', StringValue: 'payment.received' } } }),
      );
      const [received] = await actions.receive(1, 5, 30);
      expect(received!.messageId).toBe(MessageId);
      return received!;
    };
    return { archive, actions, receiveOne };
  }
  const reason = { error: new UnrecoverableError('refused'), handler: 'archive/payment.received', attempt: 1 };

  it('names the source message on every copy, so the copies a failed delete leaves behind can be told apart', async () => {
    const { archive, actions, receiveOne } = await setUp();
    const received = await receiveOne('{"paymentId":"p","amountCents":1}');
    // The delete after the first copy failed: the message came back and was dead-lettered again.
    await actions.deadLetter(received, reason);
    await actions.deadLetter({ ...received, receiveCount: 2 }, { ...reason, attempt: 2 });
    const copies = await receiveAvailable(clients.sqs, archive.deadLetterUrl, { expected: 2 });
    const records = copies.map((copy) => readFailureRecord(Object.fromEntries(Object.entries(copy.MessageAttributes!).map(([name, value]) => [name, value.StringValue]))));
    expect(records.map((record) => record.sourceMessageId)).toEqual([received.messageId, received.messageId]);
  });

  it('refuses, naming queue and message, a copy that its failure record makes too large for the dead-letter queue', async () => {
    const { QueueUrl: smallDlq } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: `${uniqueStage()}-small-dlq`, Attributes: { MaximumMessageSize: '1024' } }),
    );
    const { actions, receiveOne } = await setUp(smallDlq);
    // Fits the DLQ by its body alone, as an emulator counts it; not with the record's attributes, as SQS counts it.
    const received = await receiveOne(JSON.stringify({ paymentId: 'x'.repeat(900), amountCents: 1 }));
    const error = await actions.deadLetter(received, { ...reason, error: new UnrecoverableError('é'.repeat(5000)) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadLetterTooLargeError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Message ${received.messageId} of queue pay-t[0-9a-f]+-archive cannot be dead-lettered: its copy with the failure record is \\d+ bytes, over the 1024 bytes dead-letter queue .*-small-dlq accepts`),
    );
    expect(await queueDepth(clients.sqs, smallDlq!)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('turns a refused send into a typed error naming the message and both queues', async () => {
    const failingSends = new Proxy(clients.sqs, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: { constructor: { name: string } }) =>
          command.constructor.name === 'SendMessageCommand'
            ? Promise.reject(Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' }))
            : target.send(command as never);
      },
    });
    const { actions, receiveOne } = await setUp(undefined, failingSends);
    const received = await receiveOne('{"paymentId":"p","amountCents":1}');
    const error = await actions.deadLetter(received, reason).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadLetterFailedError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Message ${received.messageId} of queue pay-t[0-9a-f]+-archive could not be sent to dead-letter queue .*-archive-dlq \\(AccessDenied: Access to the resource is denied\\.\\); it stays on its queue`),
    );
  });
});
