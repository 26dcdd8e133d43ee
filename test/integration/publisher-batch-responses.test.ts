import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionTopology, type ProvisionedTopology } from '../../lib/local/provisioner.ts';
import { DeliveryError } from '../../lib/runtime/publishing/publish-errors.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const clients = emulatorClients();
const stage = uniqueStage();
let provisioned: ProvisionedTopology;

beforeAll(async () => {
  provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
});

type BatchResponse = { Successful?: Array<{ Id?: string }>; Failed?: Array<{ Id?: string }> };

/**
 * The real client, except that the first `times` batch responses lose entry `Id`
 * from both Successful and Failed, as a response that says nothing of it.
 */
function droppingEntry<Client extends SNSClient | SQSClient>(client: Client, Id: string, times: number): Client {
  let dropped = 0;
  return {
    send: async (command: unknown) => {
      const response = (await (client as { send(command: unknown): Promise<unknown> }).send(command)) as BatchResponse;
      if (!(command instanceof PublishBatchCommand || command instanceof SendMessageBatchCommand) || dropped >= times) return response;
      dropped += 1;
      return {
        ...response,
        Successful: response.Successful?.filter((entry) => entry.Id !== Id),
        Failed: response.Failed?.filter((entry) => entry.Id !== Id),
      };
    },
  } as unknown as Client;
}

function publisherWith(sns: SNSClient, sqs: SQSClient, maxAttempts: number) {
  return new Publisher(paymentsTopology, {
    stage,
    source: 'test',
    sns,
    sqs,
    maxAttempts,
    retryBaseMs: 1,
    routes: {
      topicArns: Object.fromEntries(provisioned.topicArns),
      queueUrls: Object.fromEntries([...provisioned.queues].map(([id, queue]) => [id, queue.url])),
    },
  });
}

const payments = (prefix: string) =>
  [0, 1, 2].map((n) => ({ type: 'payment.received' as const, data: { paymentId: `p-${n}`, amountCents: 1 }, options: { id: `${prefix}-${n}` } }));

describe('Publisher, when a batch response leaves an entry out', () => {
  it('reports the entry SNS said nothing of as failed, not as vanished, once its attempts are spent', async () => {
    const report = await publisherWith(droppingEntry(clients.sns, '1', Infinity), clients.sqs, 1).publishMany(payments('gone'));
    expect(report.results.map((result) => [result.id, result.status])).toEqual([
      ['gone-0', 'sent'],
      ['gone-1', 'failed'],
      ['gone-2', 'sent'],
    ]);
    expect([report.sent, report.failed]).toEqual([2, 1]);
    const { error } = report.results[1]!;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error!.message).toBe(
      `Message gone-1 of type 'payment.received' was not delivered to topic pay-${stage}-payments: ` +
        'the PublishBatch response named it neither successful nor failed, so it may or may not have been sent; send it again (its consumers may then see its id twice)',
    );
  });

  it('retries an entry SNS said nothing of, as it retries entries SNS failed on its side', async () => {
    const report = await publisherWith(droppingEntry(clients.sns, '1', 1), clients.sqs, 3).publishMany(payments('again'));
    expect(report.results.map((result) => [result.id, result.status, result.attempts])).toEqual([
      ['again-0', 'sent', 1],
      ['again-1', 'sent', 2],
      ['again-2', 'sent', 1],
    ]);
    expect(report.calls).toBe(2);
  });

  it('reports an entry SQS said nothing of as failed too', async () => {
    const commands = [0, 1].map((n) => ({ type: 'report.build' as const, data: { month: '2026-11' }, options: { id: `cmd-${n}` } }));
    const report = await publisherWith(clients.sns, droppingEntry(clients.sqs, '0', Infinity), 1).sendMany(commands);
    expect(report.results.map((result) => [result.id, result.status])).toEqual([
      ['cmd-0', 'failed'],
      ['cmd-1', 'sent'],
    ]);
    expect(report.results[0]!.error!.reason).toMatch(/^the SendMessageBatch response named it neither successful nor failed/);
  });
});
