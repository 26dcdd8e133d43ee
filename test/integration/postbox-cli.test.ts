import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deadLetterPoison, provisionPayments } from '../helpers/cli-fixtures.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();

describe('postbox status', () => {
  it('counts what each queue and DLQ holds after known traffic, and flags non-empty DLQs', async () => {
    const { stage, provisioned, publisher } = await provisionPayments();
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

describe('postbox publish, send and tail', () => {
  it('publishes a valid event, and rejects one that does not match its schema with the schema error', async () => {
    const { stage, provisioned } = await provisionPayments();
    const ok = await postbox(stage, ['publish', 'payment.refunded', '{"paymentId":"r-9","amountCents":3}']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^published payment.refunded [0-9a-f-]{36} \(message id .+\)$/);
    expect(await receiveAvailable(clients.sqs, provisioned.queues.get('fraud')!.url, { expected: 1 })).toHaveLength(1);

    const bad = await postbox(stage, ['publish', 'payment.refunded', '{"paymentId":"r-9","amountCents":"three"}']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^postbox: A message given no id \(so none was sent\) of type 'payment.refunded' does not match its schema: amountCents: Invalid input: expected number, received string\.$/);
    const notJson = await postbox(stage, ['send', 'report.build', '{oops']);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toMatch(/^postbox: the message is not valid JSON: /);
    const unknown = await postbox(stage, ['publish', 'payment.lost', '{}']);
    expect(unknown.code).toBe(3);
  });

  it('says in one line, exit 2, that dlq and outbox need one of their commands, instead of printing their help', async () => {
    const stage = uniqueStage();
    expect(await postbox(stage, ['outbox'])).toMatchObject({ code: 2, err: 'postbox: outbox needs a command: show or replay (postbox outbox --help says what each does)' });
    expect(await postbox(stage, ['dlq', 'move'])).toMatchObject({ code: 2, err: "postbox: dlq has no command 'move'; use show, redrive, purge or export" });
  });

  it('tails a queue without consuming it', async () => {
    const { stage, provisioned } = await provisionPayments();
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
    expect(missing.err).toMatch(/^postbox: queue pay-t[0-9a-f]+-accounting(-dlq)? does not exist at http:\/\/127\.0\.0\.1:\d+; deploy stage 't[0-9a-f]+' with cdk deploy, or create it at an emulator with postbox provision$/);
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
    [['--stage', '', 'status'], "--stage <stage>' argument '' is invalid. use lower-case letters, digits and hyphens, starting with a letter (e.g. prod)."],
    [['--stage', 'Prod_1', 'status'], "--stage <stage>' argument 'Prod_1' is invalid."],
  ])('refuses %j with exit 2 and one line naming the option and what it accepts', async (args, expected) => {
    const result = await postbox('dev', args);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^postbox: /);
    expect(result.err).toContain(expected);
  });

  it('refuses an option given to the dlq command instead of its subcommand, and honours global options after the subcommand', async () => {
    const misplaced = await postbox('dev', ['dlq', '--max', '5', 'show', 'accounting']);
    expect(misplaced).toMatchObject({ code: 2, out: '', err: "postbox: unknown option '--max'" });
    const { stage, provisioned } = await provisionPayments();
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
    expect(result.stderr).toBe("postbox: unknown queue 'nowhere'; the queues of orders are notifications, analytics, invoice-generate\n");
    expect(result.stdout).toBe('');
  });
});

