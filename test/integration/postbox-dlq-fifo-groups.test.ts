import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provisionPayments } from '../helpers/cli-fixtures.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients } from '../helpers/emulator.ts';
import { consumeInOrder, queueDepth } from '../helpers/queue-probe.ts';

const clients = emulatorClients();

/** Sends ledger entries 1..count of one group; resolves to their message ids, in order. */
async function fillGroup(queueUrl: string, group: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let sequence = 1; sequence <= count; sequence++) {
    const { MessageId } = await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ account: group, sequence }),
        MessageGroupId: group,
        MessageDeduplicationId: `${group}-${sequence}`,
        MessageAttributes: { type: { DataType: 'String', StringValue: 'ledger.entry' } },
      }),
    );
    ids.push(MessageId!);
  }
  return ids;
}

const sequencesOf = (messages: ReadonlyArray<{ Body?: string }>, group: string) =>
  messages.map((message) => JSON.parse(message.Body!) as { account: string; sequence: number }).filter((entry) => entry.account === group).map((entry) => entry.sequence);

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

  it('redrives by id a dead letter deep in its group, and the rest of every group stays in the DLQ in order', async () => {
    const { stage, provisioned } = await provisionPayments();
    const { url, deadLetterUrl } = provisioned.queues.get('audit')!;
    const a = await fillGroup(deadLetterUrl, 'a', 12);
    await fillGroup(deadLetterUrl, 'b', 3);
    const result = await postbox(stage, ['dlq', 'redrive', 'audit', '--id', a[4]!, '--id', a[11]!]);
    expect(result).toMatchObject({ code: 0 });
    expect(result.out).toMatch(/^moved 2, failed 0, skipped 13 \(client-side\)/);
    expect(sequencesOf(await consumeInOrder(clients.sqs, url, 2), 'a')).toEqual([5, 12]);
    const left = await consumeInOrder(clients.sqs, deadLetterUrl, 13);
    expect(sequencesOf(left, 'a')).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    expect(sequencesOf(left, 'b')).toEqual([1, 2, 3]);
    expect(await queueDepth(clients.sqs, deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);
});
