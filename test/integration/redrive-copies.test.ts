import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { failureRecord, failureRecordAttributes } from '../../lib/messages/failure-record.ts';
import { FAILURE_ATTRIBUTES } from '../../lib/messages/wire-contract.ts';
import { withDataTypes } from '../../lib/messages/message-attributes.ts';
import { createAwsClients } from '../../lib/aws/aws-clients.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { elasticMqServer, queueWithDeadLetterQueue } from '../helpers/cli-fixtures.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

/*
 * A redrive moves each message once, though the DLQ may hold several copies of it (a dead-letter send whose
 * delete failed, retried), and never takes two different messages for copies of each other.
 */

const clients = emulatorClients();

describe('redrive and copies of one message (postbox.sourceMessageId)', () => {
  /*
   * A message the SQS redrive policy moved keeps every attribute its producer set, and nothing stops a
   * producer from setting `postbox.sourceMessageId`: two different messages carrying the same value are
   * still two messages.
   */
  it('redrives two different messages that crashed their consumer, though their producer set the same postbox.sourceMessageId on both', async () => {
    const stage = uniqueStage();
    const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
    const { url, deadLetterUrl } = provisioned.queues.get('accounting')!;
    for (const paymentId of ['p-1', 'p-2']) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: JSON.stringify({ paymentId, amountCents: 1 }),
          MessageAttributes: {
            type: { DataType: 'String', StringValue: 'payment.received' },
            [FAILURE_ATTRIBUTES.sourceMessageId]: { DataType: 'String', StringValue: 'forged' },
          },
        }),
      );
    }
    // A consumer that crashes on each receive (nothing deleted, visibility 0): the redrive policy (3) moves both.
    const deadline = Date.now() + 20_000;
    while ((await queueDepth(clients.sqs, deadLetterUrl)).visible < 2) {
      if (Date.now() > deadline) throw new Error('the redrive policy did not move both messages in time');
      await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
    }

    const shown = JSON.parse((await postbox(stage, ['--json', 'dlq', 'show', 'accounting'])).out);
    expect.soft(shown).toMatchObject({ listed: 2, shown: 2 });

    const redrive = await postbox(stage, ['--json', 'dlq', 'redrive', 'accounting', '--client-side']);
    expect.soft(JSON.parse(redrive.out)).toMatchObject({ moved: 2, duplicates: 0 });
    const back = await receiveAvailable(clients.sqs, url, { expected: 2 });
    expect(back.map((message) => JSON.parse(message.Body!).paymentId).sort()).toEqual(['p-1', 'p-2']);
  }, 40_000);

  describe('with StartMessageMoveTask (ElasticMQ)', () => {
    const elasticmq = elasticMqServer();

    /*
     * A redrive of a whole standard DLQ goes to StartMessageMoveTask, which moves every copy: the extra
     * copies are deleted first, as `dlq show` counted them.
     */
    it('moves a source message once when the DLQ holds two copies of it', async () => {
      const stage = uniqueStage();
      const sqs = createAwsClients({ endpoint: elasticmq.endpoint, region: 'us-east-1' }).sqs;
      const queue = resolveTopology(paymentsTopology, { stage }).queues.find((q) => q.id === 'report-build')!;
      const { url, deadLetterUrl: dlqUrl } = await queueWithDeadLetterQueue(sqs, queue);
      // Two dead-letter copies of one message, as QueueActions.deadLetter writes them when the delete after it fails.
      for (const failedAt of ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:05.000Z']) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: dlqUrl,
            MessageBody: JSON.stringify({ month: '2026-09' }),
            MessageAttributes: withDataTypes({
              type: { DataType: 'String', StringValue: 'report.build' },
              ...failureRecordAttributes(
                failureRecord({ errorCode: 'HANDLER_FAILED', errorMessage: 'boom', handler: 'report-build/report.build', attempt: 1, failedAt, sourceMessageId: 'source-1' }),
              ),
            }),
          }),
        );
      }
      const shown = JSON.parse((await postbox(stage, ['--json', 'dlq', 'show', 'report-build'], { endpoint: elasticmq.endpoint })).out);
      expect(shown).toMatchObject({ shown: 1, copies: 2 });

      const result = await postbox(stage, ['--json', 'dlq', 'redrive', 'report-build'], { endpoint: elasticmq.endpoint });
      expect(result.code).toBe(0);
      const back = await receiveAvailable(sqs, url, { expected: 2 });
      expect(back).toHaveLength(1);
    }, 60_000);
  });
});
