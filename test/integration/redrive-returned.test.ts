import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { failureRecordAttributes } from '../../lib/messages/failure-record.ts';
import { withDataTypes } from '../../lib/messages/message-attributes.ts';
import { QueueDirectory } from '../../lib/operations/queue-directory.ts';
import { redriveDeadLetters } from '../../lib/operations/redrive-dead-letters.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { provisionPayments } from '../helpers/cli-fixtures.ts';
import { emulatorClients } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const clients = emulatorClients();

describe('a whole redrive whose message fails again at once', () => {
  it('counts the dead letter that came back after its listing ended as returned, not left over, and is complete', async () => {
    const { stage } = await provisionPayments();
    const address = await new QueueDirectory(resolveTopology(paymentsTopology, { stage }), clients.sqs, 'emulator').address('accounting');
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: address.deadLetterUrl, MessageBody: '{"paymentId":"p-1","amountCents":-1}' }));
    // Its consumer fails the moved message at once: its new dead letter lands after the listing's last empty receive,
    // just before the run counts what the DLQ holds.
    let sentId: string | undefined;
    let failedAgain = false;
    const sqs = {
      send: async (command: { input: { QueueUrl?: string } }) => {
        if (command instanceof GetQueueAttributesCommand && command.input.QueueUrl === address.deadLetterUrl && sentId && !failedAgain) {
          failedAgain = true;
          await clients.sqs.send(
            new SendMessageCommand({
              QueueUrl: address.deadLetterUrl,
              MessageBody: '{"paymentId":"p-1","amountCents":-1}',
              MessageAttributes: withDataTypes(failureRecordAttributes({
                errorCode: 'SCHEMA_VALIDATION_FAILED',
                errorMessage: 'amountCents: Too small',
                handler: 'accounting/payment.received',
                attempt: 1,
                failedAt: new Date().toISOString(),
                sourceMessageId: sentId,
              })),
            }),
          );
        }
        const result = await clients.sqs.send(command as never);
        if (command instanceof SendMessageCommand && command.input.QueueUrl === address.url) sentId = (result as { MessageId?: string }).MessageId;
        return result;
      },
    } as unknown as SQSClient;

    const summary = await redriveDeadLetters(sqs, address, { filter: {}, max: 100, clientSide: true });
    expect(failedAgain).toBe(true);
    expect(summary).toMatchObject({ moved: 1, failed: 0, returned: 1, left: 1, incomplete: false });
  }, 30_000);
});
