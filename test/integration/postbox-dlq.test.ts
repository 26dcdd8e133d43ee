import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browse } from '../../lib/operations/dead-letter-browser.ts';
import { deadLetterAttributes } from '../../lib/messages/dead-letter-copy.ts';
import { failureRecord, failureRecordAttributes } from '../../lib/messages/failure-record.ts';
import { withDataTypes } from '../../lib/messages/message-attributes.ts';
import { accountingConsumer, deadLetterPoison, provisionPayments } from '../helpers/cli-fixtures.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients } from '../helpers/emulator.ts';
import { consumeInOrder, queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();

/** Ledger entries of the given groups and sequences, in that order, on a FIFO queue. */
async function fillFifoQueue(queueUrl: string, entries: ReadonlyArray<readonly [string, number]>): Promise<void> {
  for (const [group, sequence] of entries) {
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

describe('postbox dlq', () => {
  it('shows dead letters with the failure reason Postbox recorded, and leaves them in the DLQ', async () => {
    const { stage, provisioned } = await provisionPayments();
    await deadLetterPoison(stage, provisioned, 2);
    const shown = await postbox(stage, ['--json', 'dlq', 'show', 'accounting']);
    expect(shown.code).toBe(0);
    const { deadLetters: letters, shown: count } = JSON.parse(shown.out);
    expect(letters).toHaveLength(2);
    expect(count).toBe(2);
    expect(letters[0]).toMatchObject({ errorCode: 'SCHEMA_VALIDATION_FAILED', attempts: 1, handler: expect.stringMatching(/^accounting\/payment\./) });
    expect(letters[0].errorMessage).toMatch(/amountCents: Too small/);
    expect(letters.map((l: { excerpt: string }) => JSON.parse(l.excerpt).paymentId).sort()).toEqual(['poison-0', 'poison-1']);

    const filtered = await postbox(stage, ['--json', 'dlq', 'show', 'accounting', '--type', 'payment.refunded']);
    expect(JSON.parse(filtered.out).deadLetters.map((l: { type: string }) => l.type)).toEqual(['payment.refunded']);
    expect(await queueDepth(clients.sqs, provisioned.queues.get('accounting')!.deadLetterUrl)).toEqual({ visible: 2, inFlight: 0 });
  });

  it('redrives exactly the selected messages and leaves the others, then falls back from move tasks on an emulator without them', async () => {
    const { stage, provisioned } = await provisionPayments();
    await deadLetterPoison(stage, provisioned, 3);
    const { url, deadLetterUrl } = provisioned.queues.get('accounting')!;
    const letters = JSON.parse((await postbox(stage, ['--json', 'dlq', 'show', 'accounting'])).out).deadLetters as Array<{ messageId: string; excerpt: string }>;
    const chosen = letters.find((letter) => letter.excerpt.includes('poison-1'))!;

    const dry = await postbox(stage, ['dlq', 'redrive', 'accounting', '--id', chosen.messageId, '--dry-run']);
    expect(dry.out).toBe(`dry run: would move 1 message(s) from pay-${stage}-accounting-dlq to pay-${stage}-accounting: ${chosen.messageId}; 2 not selected`);
    expect(await queueDepth(clients.sqs, deadLetterUrl)).toEqual({ visible: 3, inFlight: 0 });

    const moved = await postbox(stage, ['dlq', 'redrive', 'accounting', '--id', chosen.messageId]);
    expect(moved.code).toBe(0);
    expect(moved.out).toBe(`moved 1, failed 0, skipped 2 (client-side) from pay-${stage}-accounting-dlq to pay-${stage}-accounting\n2 message(s) left in pay-${stage}-accounting-dlq`);
    const back = await receiveAvailable(clients.sqs, url, { expected: 1 });
    expect(back.map((message) => JSON.parse(message.Body!).paymentId)).toEqual(['poison-1']);
    expect(Object.keys(back[0]!.MessageAttributes!)).toEqual(['type']);
    expect(await queueDepth(clients.sqs, deadLetterUrl)).toEqual({ visible: 2, inFlight: 0 });

    const rest = await postbox(stage, ['dlq', 'redrive', 'accounting']);
    expect(rest.err).toContain('has no StartMessageMoveTask; moving the messages one by one instead');
    expect(rest.out).toMatch(/^moved 2, failed 0, skipped 0 \(client-side\)/);
    expect(await queueDepth(clients.sqs, deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('redrives a FIFO DLQ keeping each group in order', async () => {
    const { stage, provisioned } = await provisionPayments();
    const { url, deadLetterUrl } = provisioned.queues.get('audit')!;
    await fillFifoQueue(deadLetterUrl, [1, 2, 3].flatMap((sequence) => [['a', sequence], ['b', sequence]] as Array<[string, number]>));
    const result = await postbox(stage, ['dlq', 'redrive', 'audit']);
    expect(result.out).toMatch(/^moved 6, failed 0, skipped 0 \(client-side\)/);
    const back = await consumeInOrder(clients.sqs, url, 6);
    const order = (group: string) => back.map((m) => JSON.parse(m.Body!)).filter((entry) => entry.account === group).map((entry) => entry.sequence);
    expect(order('a')).toEqual([1, 2, 3]);
    expect(order('b')).toEqual([1, 2, 3]);
  });

  it('asks before purging, purges on yes, and refuses without a terminal unless --yes', async () => {
    const { stage, provisioned } = await provisionPayments();
    await deadLetterPoison(stage, provisioned, 1);
    const dlq = provisioned.queues.get('accounting')!.deadLetterUrl;
    const declined = await postbox(stage, ['dlq', 'purge', 'accounting'], { answer: false });
    expect(declined).toMatchObject({ code: 2, err: `postbox: purge of pay-${stage}-accounting-dlq cancelled; nothing was deleted` });
    expect((await queueDepth(clients.sqs, dlq)).visible).toBe(1);
    const refused = await postbox(stage, ['dlq', 'purge', 'accounting']);
    expect(refused).toMatchObject({ code: 2, err: `postbox: refusing to purge pay-${stage}-accounting-dlq without confirmation; pass --yes when not at a terminal` });
    const accepted = await postbox(stage, ['dlq', 'purge', 'accounting'], { answer: true });
    expect(accepted.code).toBe(0);
    expect(await queueDepth(clients.sqs, dlq)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('exports dead letters as JSON lines and leaves them in the DLQ', async () => {
    const { stage, provisioned } = await provisionPayments();
    await deadLetterPoison(stage, provisioned, 2);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-export-')), 'dlq.jsonl');
    const result = await postbox(stage, ['dlq', 'export', 'accounting', '--out', file]);
    expect(result).toMatchObject({ code: 0, out: `exported 2 message(s) to ${file}` });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.messageAttributes['postbox.errorCode'].StringValue)).toEqual(['SCHEMA_VALIDATION_FAILED', 'SCHEMA_VALIDATION_FAILED']);
    expect((await queueDepth(clients.sqs, provisioned.queues.get('accounting')!.deadLetterUrl)).visible).toBe(2);
  });
});

describe('postbox dlq: what it reports matches what the DLQ holds', () => {
  /** A client whose receives answer only after `delayMs`: a listing that outlasts the visibility it asks for. */
  function slowReceives(sqs: SQSClient, delayMs: number): SQSClient {
    return {
      send: async (command: { constructor: unknown }) => {
        if (command instanceof ReceiveMessageCommand) await new Promise((resolve) => setTimeout(resolve, delayMs));
        return sqs.send(command as never);
      },
    } as unknown as SQSClient;
  }

  it('lists each message once when the listing outlasts the visibility it asked for', async () => {
    const { provisioned } = await provisionPayments();
    const { deadLetterUrl } = provisioned.queues.get('accounting')!;
    for (let i = 0; i < 12; i++) await clients.sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: `m-${i}` }));
    const listed = await browse(slowReceives(clients.sqs, 2500), deadLetterUrl, 100, 2);
    expect(listed.map((message) => message.Body).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `m-${i}`).sort());
  }, 30_000);

  it('shows one entry per source message with its copies, and redrive moves it once and deletes the extra copy', async () => {
    const { stage, provisioned } = await provisionPayments();
    const { url, deadLetterUrl } = provisioned.queues.get('accounting')!;
    const copy = (reason: string) =>
      clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: deadLetterUrl,
          MessageBody: JSON.stringify({ paymentId: 'p-1', amountCents: -1 }),
          MessageAttributes: withDataTypes({
            type: { DataType: 'String', StringValue: 'payment.received' },
            ...failureRecordAttributes(
              failureRecord({ errorCode: reason, errorMessage: 'boom', handler: 'accounting/payment.received', attempt: 1, failedAt: new Date().toISOString(), sourceMessageId: 'source-1' }),
            ),
          }),
        }),
      );
    await copy('FIRST');
    await copy('SECOND');
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: JSON.stringify({ paymentId: 'p-2', amountCents: -1 }) }));

    const shown = JSON.parse((await postbox(stage, ['--json', 'dlq', 'show', 'accounting'])).out);
    expect(shown).toMatchObject({ shown: 2, copies: 3, listed: 3 });
    expect(shown.deadLetters.map((letter: { sourceMessageId: string; copies: number }) => letter.copies).sort()).toEqual([1, 2]);
    const table = await postbox(stage, ['dlq', 'show', 'accounting']);
    expect(table.out).toContain(`2 dead letter(s) in pay-${stage}-accounting-dlq (3 copies: 1 duplicate(s) of the same source messages)`);

    const redrive = await postbox(stage, ['dlq', 'redrive', 'accounting', '--client-side']);
    expect(redrive.code).toBe(0);
    expect(redrive.out).toBe(
      `moved 2, failed 0, skipped 0 (client-side) from pay-${stage}-accounting-dlq to pay-${stage}-accounting\n` +
        '1 duplicate copy of messages already moved in this run were deleted, not moved',
    );
    expect(await queueDepth(clients.sqs, deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
    const back = await receiveAvailable(clients.sqs, url, { expected: 2 });
    expect(back.map((message) => JSON.parse(message.Body!).paymentId).sort()).toEqual(['p-1', 'p-2']);
  });

  it('redrives a plain message with ten attributes of its own with all ten, restored from the copy that had room for nine', async () => {
    const { stage, provisioned } = await provisionPayments();
    const { url, deadLetterUrl } = provisioned.queues.get('accounting')!;
    const own: Record<string, MessageAttributeValue> = {
      type: { DataType: 'String', StringValue: 'payment.received' },
      'cents.total': { DataType: 'Number.cents', StringValue: '1200' },
      signature: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 254]) },
      ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`tag${i}`, { DataType: 'String', StringValue: `value ${i}` }])),
    };
    const record = failureRecord({
      errorCode: 'BOOM',
      errorMessage: 'boom',
      handler: 'accounting/payment.received',
      attempt: 1,
      failedAt: new Date().toISOString(),
      sourceMessageId: 'source-10',
    });
    const copy = deadLetterAttributes(own, record);
    expect(Object.keys(copy)).toHaveLength(10);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: JSON.stringify({ paymentId: 'p-10', amountCents: 1 }), MessageAttributes: withDataTypes(copy) }));

    expect((await postbox(stage, ['dlq', 'redrive', 'accounting', '--client-side'])).code).toBe(0);
    const [back] = await receiveAvailable(clients.sqs, url, { expected: 1 });
    const attributes = back!.MessageAttributes ?? {};
    expect(Object.keys(attributes).sort()).toEqual(Object.keys(own).sort());
    expect(attributes['cents.total']).toMatchObject({ DataType: 'Number.cents', StringValue: '1200' });
    expect([...(attributes.signature!.BinaryValue ?? [])]).toEqual([0, 1, 2, 254]);
  });

  it('says how many dead letters are in flight instead of "no dead letters" after an interrupted redrive', async () => {
    const { stage, provisioned } = await provisionPayments();
    await deadLetterPoison(stage, provisioned, 2);
    const { deadLetterUrl } = provisioned.queues.get('accounting')!;
    // What a crashed client-side redrive leaves: the messages hidden for its visibility timeout.
    await receiveAvailable(clients.sqs, deadLetterUrl, { expected: 2, visibilitySeconds: 300 });
    const shown = await postbox(stage, ['dlq', 'show', 'accounting']);
    expect(shown.code).toBe(0);
    expect(shown.out).toBe(
      `no dead letters visible in pay-${stage}-accounting-dlq\n` +
        '2 more message(s) in flight, hidden by another reader (a running or interrupted redrive or consumer): they come back when their visibility timeout ends; look again then',
    );
    expect(JSON.parse((await postbox(stage, ['--json', 'dlq', 'show', 'accounting'])).out)).toMatchObject({ shown: 0, inFlight: 2 });
    const exported = await postbox(stage, ['dlq', 'export', 'accounting', '--out', path.join(mkdtempSync(path.join(tmpdir(), 'postbox-export-')), 'dlq.jsonl')]);
    expect(exported.out).toContain('2 message(s) in flight were not exported');
  });

  it('ends a redrive whose messages fail again while it runs, leaving their new dead letters for the next run', async () => {
    const { stage, provisioned } = await provisionPayments();
    await deadLetterPoison(stage, provisioned, 3);
    const { url, deadLetterUrl } = provisioned.queues.get('accounting')!;
    // The consumer runs on: every message the redrive sends back is poison again and returns to the DLQ at once.
    const consumer = accountingConsumer(stage, url);
    consumer.start();
    try {
      const redrive = await postbox(stage, ['--json', 'dlq', 'redrive', 'accounting', '--client-side']);
      const summary = JSON.parse(redrive.out);
      expect(summary).toMatchObject({ moved: 3, failed: 0 });
      expect(summary.returned).toBeLessThanOrEqual(3);
    } finally {
      await consumer.stop();
    }
    const deadline = Date.now() + 10_000;
    while ((await queueDepth(clients.sqs, deadLetterUrl)).visible < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await queueDepth(clients.sqs, deadLetterUrl)).toEqual({ visible: 3, inFlight: 0 });
  }, 40_000);

  it('redrives every message of a FIFO DLQ, more than ten per group, each group in order', async () => {
    const { stage, provisioned } = await provisionPayments();
    const { url, deadLetterUrl } = provisioned.queues.get('audit')!;
    const sent: Array<[string, number]> = [...Array.from({ length: 14 }, (_, i) => ['a', i] as [string, number]), ['b', 0], ['b', 1]];
    await fillFifoQueue(deadLetterUrl, sent);
    const result = await postbox(stage, ['dlq', 'redrive', 'audit']);
    expect(result).toMatchObject({ code: 0, out: `moved 16, failed 0, skipped 0 (client-side) from pay-${stage}-audit-dlq.fifo to pay-${stage}-audit.fifo` });
    expect(await queueDepth(clients.sqs, deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
    const back: Array<{ account: string; sequence: number }> = [];
    while (back.length < 16) {
      const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      expect(Messages.length).toBeGreaterThan(0);
      for (const message of Messages) {
        back.push(JSON.parse(message.Body!));
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }));
      }
    }
    expect(back.filter((entry) => entry.account === 'a').map((entry) => entry.sequence)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    expect(back.filter((entry) => entry.account === 'b').map((entry) => entry.sequence)).toEqual([0, 1]);
  }, 30_000);
});
