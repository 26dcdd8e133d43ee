import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, StartMessageMoveTaskCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElasticMq } from '../../lib/local/elasticmq-server.ts';
import type { RunningServer } from '../../lib/local/server-process.ts';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import { provisionTopology, type ProvisionedTopology } from '../../lib/local/provisioner.ts';
import { createSqsHandler } from '../../lib/runtime/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/logger.ts';
import { Publisher } from '../../lib/runtime/publisher.ts';
import { createAwsClients } from '../../lib/runtime/aws-clients.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { browse } from '../../lib/cli/dead-letter-browser.ts';
import { redriveWithMoveTask } from '../../lib/cli/dead-letter-redrive.ts';
import { deadLetterAttributes } from '../../lib/messages/dead-letter-copy.ts';
import { withDataTypes } from '../../lib/messages/message-attributes.ts';
import { failureRecord, failureRecordAttributes } from '../../lib/messages/failure-record.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { pollUntil } from '../helpers/polling.ts';
import { consumeInOrder, queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();

async function setUp() {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(paymentsTopology, { stage }), clients);
  const publisher = new Publisher(paymentsTopology, { stage, source: 'test', sns: clients.sns, sqs: clients.sqs });
  return { stage, provisioned, publisher };
}

/** Dead-letters poison messages through the real Lambda pipeline: what operators find in a DLQ. */
async function deadLetterPoison(stage: string, provisioned: ProvisionedTopology, count: number): Promise<void> {
  const url = provisioned.queues.get('accounting')!.url;
  for (let i = 0; i < count; i++) {
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ paymentId: `poison-${i}`, amountCents: -1 }),
        MessageAttributes: { type: { DataType: 'String', StringValue: i % 2 === 0 ? 'payment.received' : 'payment.refunded' } },
      }),
    );
  }
  const noop = () => undefined;
  const source = new LocalEventSource({
    sqs: clients.sqs,
    queueUrl: url,
    handler: createSqsHandler(paymentsTopology, {
      stage,
      queue: 'accounting',
      sqs: clients.sqs,
      logger: createLogger({}, { write: noop }),
      writeMetrics: noop,
      handlers: { 'payment.received': noop, 'payment.refunded': noop },
    }),
  });
  const dlq = provisioned.queues.get('accounting')!.deadLetterUrl;
  await pollUntil(source, async () => (await queueDepth(clients.sqs, dlq)).visible === count);
}

describe('postbox status', () => {
  it('counts what each queue and DLQ holds after known traffic, and flags non-empty DLQs', async () => {
    const { stage, provisioned, publisher } = await setUp();
    await deadLetterPoison(stage, provisioned, 1);
    await publisher.publish('payment.refunded', { paymentId: 'r-1', amountCents: 5 });
    await publisher.publish('payment.refunded', { paymentId: 'r-2', amountCents: 5 });
    await publisher.send('report.build', { month: '2026-11' }, { delaySeconds: 30 });

    const json = await postbox(stage, ['--json', 'status']);
    expect(json.code).toBe(0);
    const rows = Object.fromEntries(JSON.parse(json.out).map((row: { queue: string }) => [row.queue, row]));
    expect(rows.fraud).toMatchObject({ visible: 2, inFlight: 0, delayed: 0, deadLetters: 0, oldestAgeSeconds: null });
    expect(rows.accounting).toMatchObject({ visible: 2, deadLetters: 1 });
    expect(rows['report-build']).toMatchObject({ visible: 0, delayed: 1 });
    expect(rows.archive).toMatchObject({ visible: 0 });

    const table = await postbox(stage, ['status']);
    const accountingLine = table.out.split('\n').find((line) => line.startsWith('accounting'))!;
    expect(accountingLine).toMatch(/^accounting\s+2\s+0\s+0\s+1\s+-\s+<- dead letters$/);
    expect(table.out.split('\n').find((line) => line.startsWith('fraud'))).not.toContain('dead letters');
  });
});

describe('postbox dlq', () => {
  it('shows dead letters with the failure reason Postbox recorded, and leaves them in the DLQ', async () => {
    const { stage, provisioned } = await setUp();
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
    const { stage, provisioned } = await setUp();
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
    const { stage, provisioned } = await setUp();
    const { url, deadLetterUrl } = provisioned.queues.get('audit')!;
    for (const sequence of [1, 2, 3]) {
      for (const group of ['a', 'b']) {
        await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: deadLetterUrl,
            MessageBody: JSON.stringify({ account: group, sequence }),
            MessageGroupId: group,
            MessageDeduplicationId: `${group}-${sequence}`,
            MessageAttributes: { type: { DataType: 'String', StringValue: 'ledger.entry' } },
          }),
        );
      }
    }
    const result = await postbox(stage, ['dlq', 'redrive', 'audit']);
    expect(result.out).toMatch(/^moved 6, failed 0, skipped 0 \(client-side\)/);
    const back = await consumeInOrder(clients.sqs, url, 6);
    const order = (group: string) => back.map((m) => JSON.parse(m.Body!)).filter((entry) => entry.account === group).map((entry) => entry.sequence);
    expect(order('a')).toEqual([1, 2, 3]);
    expect(order('b')).toEqual([1, 2, 3]);
  });

  it('asks before purging, purges on yes, and refuses without a terminal unless --yes', async () => {
    const { stage, provisioned } = await setUp();
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
    const { stage, provisioned } = await setUp();
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
    const { provisioned } = await setUp();
    const { deadLetterUrl } = provisioned.queues.get('accounting')!;
    for (let i = 0; i < 12; i++) await clients.sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: `m-${i}` }));
    const listed = await browse(slowReceives(clients.sqs, 2500), deadLetterUrl, 100, 2);
    expect(listed.map((message) => message.Body).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `m-${i}`).sort());
  }, 30_000);

  it('shows one entry per source message with its copies, and redrive moves it once and deletes the extra copy', async () => {
    const { stage, provisioned } = await setUp();
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
    const { stage, provisioned } = await setUp();
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
    const { stage, provisioned } = await setUp();
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
    const { stage, provisioned } = await setUp();
    await deadLetterPoison(stage, provisioned, 3);
    const { url, deadLetterUrl } = provisioned.queues.get('accounting')!;
    // The consumer runs on: every message the redrive sends back is poison again and returns to the DLQ at once.
    const noop = () => undefined;
    const consumer = new LocalEventSource({
      sqs: clients.sqs,
      queueUrl: url,
      waitTimeSeconds: 1,
      handler: createSqsHandler(paymentsTopology, {
        stage,
        queue: 'accounting',
        sqs: clients.sqs,
        logger: createLogger({}, { write: noop }),
        writeMetrics: noop,
        handlers: { 'payment.received': noop, 'payment.refunded': noop },
      }),
    });
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
    const { stage, provisioned } = await setUp();
    const { url, deadLetterUrl } = provisioned.queues.get('audit')!;
    const sent: Array<[string, number]> = [...Array.from({ length: 14 }, (_, i) => ['a', i] as [string, number]), ['b', 0], ['b', 1]];
    for (const [group, sequence] of sent) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: deadLetterUrl,
          MessageBody: JSON.stringify({ account: group, sequence }),
          MessageGroupId: group,
          MessageDeduplicationId: `${group}-${sequence}`,
        }),
      );
    }
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

describe('postbox publish, send and tail', () => {
  it('publishes a valid event, and rejects one that does not match its schema with the schema error', async () => {
    const { stage, provisioned } = await setUp();
    const ok = await postbox(stage, ['publish', 'payment.refunded', '{"paymentId":"r-9","amountCents":3}']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^published payment.refunded [0-9a-f-]{36} \(message id .+\)$/);
    expect(await receiveAvailable(clients.sqs, provisioned.queues.get('fraud')!.url, { expected: 1 })).toHaveLength(1);

    const bad = await postbox(stage, ['publish', 'payment.refunded', '{"paymentId":"r-9","amountCents":"three"}']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^postbox: Message [0-9a-f-]{36} of type 'payment.refunded' does not match its schema: amountCents: Invalid input: expected number, received string\.$/);
    const notJson = await postbox(stage, ['send', 'report.build', '{oops']);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toMatch(/^postbox: the message is not valid JSON: /);
    const unknown = await postbox(stage, ['publish', 'payment.lost', '{}']);
    expect(unknown.code).toBe(3);
  });

  it('tails a queue without consuming it', async () => {
    const { stage, provisioned } = await setUp();
    await postbox(stage, ['send', 'report.build', '{"month":"2026-11"}']);
    const tailed = await postbox(stage, ['tail', 'report-build', '--for', '2']);
    expect(tailed.out).toMatch(/report\.build\s+\{"specversion":"1\.0"/);
    expect(tailed.out.split('\n')).toHaveLength(1);
    const still = await receiveAvailable(clients.sqs, provisioned.queues.get('report-build')!.url, { expected: 1 });
    expect(still.map((message) => JSON.parse(message.Body!).type)).toEqual(['report.build']);
  });

  it('fails with one clear line for an unknown queue and for an unreachable endpoint', async () => {
    const unknown = await postbox('dev', ['dlq', 'show', 'nowhere']);
    expect(unknown).toEqual({
      code: 3,
      out: '',
      err: "postbox: unknown queue 'nowhere'; the queues of pay are accounting, fraud, audit, archive, report-build, receipt-archive",
    });
    const unreachable = await postbox('dev', ['status'], { endpoint: 'http://127.0.0.1:9' });
    expect(unreachable).toEqual({ code: 4, out: '', err: 'postbox: cannot reach http://127.0.0.1:9 (ECONNREFUSED); check --endpoint, AWS_ENDPOINT_URL or your network' });
    const missing = await postbox(uniqueStage(), ['dlq', 'show', 'accounting']);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/^postbox: queue pay-t[0-9a-f]+-accounting(-dlq)? does not exist at http:\/\/127\.0\.0\.1:\d+; deploy the stack or provision stage 't[0-9a-f]+'$/);
  });
});

describe('postbox option validation', () => {
  it.each([
    [['dlq', 'show', 'accounting', '--max', 'abc'], "--max <n>' argument 'abc' is invalid. expected a whole number of messages from 1 to"],
    [['dlq', 'show', 'accounting', '--max', '0'], "--max <n>' argument '0' is invalid."],
    [['dlq', 'export', 'accounting', '--out', 'x.jsonl', '--max', '1e'], "--max <n>' argument '1e' is invalid."],
    [['dlq', 'redrive', 'accounting', '--max', 'abc'], "--max <n>' argument 'abc' is invalid."],
    [['dlq', 'redrive', 'accounting', '--rate', 'fast'], "--rate <n>' argument 'fast' is invalid. expected a whole number of messages per second from 1 to 500"],
    [['dlq', 'show', 'accounting', '--older-than', '10'], "--older-than <duration>' argument '10' is invalid. expected a duration such as 90s, 15m, 2h or 7d"],
    [['status', '--watch', 'abc'], "--watch [seconds]' argument 'abc' is invalid. expected a whole number of seconds from 1 to"],
    [['tail', 'fraud', '--for', 'abc'], "--for <seconds>' argument 'abc' is invalid."],
    [['tail', 'fraud', '--interval', '-1'], "--interval <seconds>' argument '-1' is invalid."],
    [['send', 'report.build', '{}', '--delay', 'abc'], "--delay <seconds>' argument 'abc' is invalid. expected a whole number of seconds from 0 to 900"],
    [['send', 'report.build', '{}', '--delay', '901'], "--delay <seconds>' argument '901' is invalid."],
    [['dlq', 'redrive', 'accounting', '--rate', '5', '--type', 'payment.received'], "option '--rate <n>' cannot be used with option '--type <type>'"],
    [['dlq', 'redrive', 'accounting', '--rate', '5', '--max', '10'], "option '--rate <n>' cannot be used with option '--max <n>'"],
    [['--endpoint', 'not-a-url', 'status'], "--endpoint <url>' argument 'not-a-url' is invalid. expected an http:// or https:// URL"],
  ])('refuses %j with exit 2 and one line naming the option and what it accepts', async (args, expected) => {
    const result = await postbox('dev', args);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toContain(expected);
  });

  it('refuses an option given to the dlq command instead of its subcommand, and honours global options after the subcommand', async () => {
    const misplaced = await postbox('dev', ['dlq', '--max', '5', 'show', 'accounting']);
    expect(misplaced).toMatchObject({ code: 2, out: '', err: "error: unknown option '--max'" });
    const { stage, provisioned } = await setUp();
    await deadLetterPoison(stage, provisioned, 1);
    const json = await postbox(stage, ['dlq', 'show', 'accounting', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ shown: 1, copies: 1, listed: 1 });
  });
});

describe('the postbox executable', () => {
  it('runs as the package bin, printing one line and the exit code on failure', () => {
    const result = spawnSync(process.execPath, ['bin/postbox.mjs', '--endpoint', 'http://127.0.0.1:9', 'dlq', 'show', 'nowhere'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    expect(result.status).toBe(3);
    expect(result.stderr).toBe("postbox: unknown queue 'nowhere'; the queues of orders are billing, notifications, analytics, invoice-generate\n");
    expect(result.stdout).toBe('');
  });
});

describe('postbox dlq redrive with StartMessageMoveTask (ElasticMQ, which implements it)', () => {
  let elasticmq: RunningServer;
  beforeAll(async () => {
    elasticmq = await startElasticMq();
  }, 90_000);
  afterAll(async () => {
    await elasticmq?.stop();
  });

  it('moves every message with a move task and reports it', async () => {
    const stage = uniqueStage();
    const sqs = createAwsClients({ endpoint: elasticmq.endpoint, region: 'us-east-1' }).sqs;
    const queue = resolveTopology(paymentsTopology, { stage }).queues.find((q) => q.id === 'report-build')!;
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queue.deadLetterQueueName }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: queue.name }))).QueueUrl!;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) } }));
    for (const month of ['2026-09', '2026-10', '2026-11']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify({ month }) }));
    }
    const result = await postbox(stage, ['--json', 'dlq', 'redrive', 'report-build', '--rate', '50'], { endpoint: elasticmq.endpoint });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ method: 'move-task', status: 'COMPLETED', moved: 3, failed: 0 });
    const back = await receiveAvailable(sqs, url, { expected: 3 });
    expect(back.map((message) => JSON.parse(message.Body!).month).sort()).toEqual(['2026-09', '2026-10', '2026-11']);
  }, 60_000);

  it("follows only the move task it started, not an earlier task of the same DLQ", async () => {
    const stage = uniqueStage();
    const sqs = createAwsClients({ endpoint: elasticmq.endpoint, region: 'us-east-1' }).sqs;
    const queue = resolveTopology(paymentsTopology, { stage }).queues.find((q) => q.id === 'report-build')!;
    const deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queue.deadLetterQueueName }))).QueueUrl!;
    const deadLetterArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: queue.name }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: 3 }) } }));
    const address = { queue, url, arn, deadLetterUrl, deadLetterArn };
    const fill = async (count: number) => {
      for (let i = 0; i < count; i++) await sqs.send(new SendMessageCommand({ QueueUrl: deadLetterUrl, MessageBody: `m-${i}` }));
    };
    await fill(3);
    expect(await redriveWithMoveTask(sqs, address, { pollMs: 50 })).toMatchObject({ status: 'COMPLETED', moved: 3 });
    await fill(2);
    // AWS may list a new task late: the first listing shows only the earlier, completed one.
    let started: string | undefined;
    let listings = 0;
    const lagging = {
      send: async (command: unknown) => {
        const result = await sqs.send(command as never);
        if (command instanceof StartMessageMoveTaskCommand) started = (result as { TaskHandle?: string }).TaskHandle;
        if (command instanceof ListMessageMoveTasksCommand && listings++ === 0) {
          const { Results = [] } = result as { Results?: Array<{ TaskHandle?: string }> };
          return { ...(result as object), Results: Results.filter((task) => task.TaskHandle !== started) };
        }
        return result;
      },
    } as unknown as SQSClient;
    expect(await redriveWithMoveTask(lagging, address, { pollMs: 50 })).toMatchObject({ status: 'COMPLETED', moved: 2 });
  }, 60_000);
});
