import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provisionPayments } from '../helpers/cli-fixtures.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients } from '../helpers/emulator.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const clients = emulatorClients();

async function fillGroup(queueUrl: string, group: string, count: number): Promise<void> {
  for (let sequence = 1; sequence <= count; sequence++) {
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ account: group, sequence }),
        MessageGroupId: group,
        MessageDeduplicationId: `${group}-${sequence}`,
        MessageAttributes: { type: { DataType: 'String', StringValue: 'ledger.entry' } },
      }),
    );
  }
}

describe('postbox dlq on a FIFO DLQ with many dead letters in one group', () => {
  it('says how many dead letters wait behind the ones listed in their group', async () => {
    const { stage, provisioned } = await provisionPayments();
    const { deadLetterUrl } = provisioned.queues.get('audit')!;
    await fillGroup(deadLetterUrl, 'a', 12);
    const text = await postbox(stage, ['dlq', 'show', 'audit']);
    const json = await postbox(stage, ['--json', 'dlq', 'show', 'audit']);
    const report = JSON.parse(json.out) as { shown: number; behindGroupHeads: number };
    // fauxqs hands out a group's head only, moto its first ten: either way all twelve are accounted for.
    expect(report.shown + report.behindGroupHeads).toBe(12);
    expect(report.behindGroupHeads).toBeGreaterThan(0);
    expect(text.out).toContain(`${report.behindGroupHeads} more dead letter(s) wait behind the ones listed in their message group`);
    expect(await queueDepth(clients.sqs, deadLetterUrl)).toMatchObject({ visible: 12 });
  }, 30_000);
});
