import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTopicCommand } from '@aws-sdk/client-sns';
import { describe, expect, inject, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionOutboxTable } from '../../lib/local/store-provisioner.ts';
import { DynamoDbOutboxStore } from '../../lib/runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { Outbox } from '../../lib/runtime/publishing/outbox/outbox.ts';
import { OutboxRelay } from '../../lib/runtime/publishing/outbox/outbox-relay.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { postbox } from '../helpers/cli-runner.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { consumeInOrder } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const dynamodb = new DynamoDBClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });

/** A stage whose payments topic was deleted after one message was written to its outbox, and relayed into the send dead-letter. */
async function withDeadLetter() {
  const stage = uniqueStage();
  const topology = resolveTopology(paymentsTopology, { stage });
  const provisioned = await provisionTopology(topology, clients);
  const store = new DynamoDbOutboxStore({ tableName: await provisionOutboxTable(topology, dynamodb), dynamodb });
  const outbox = new Outbox(new Publisher(paymentsTopology, { source: 'payments-service', stage, ...clients }), store);
  await clients.sns.send(new DeleteTopicCommand({ TopicArn: provisioned.topicArns.get('payments')! }));
  const [record] = await outbox.transactWrite([], [{ type: 'payment.refunded', data: { paymentId: 'p-1', amountCents: 7 } }]);
  await new OutboxRelay({ ...clients, store, retryBaseMs: 10 }).relay(await store.pending(10));
  return { stage, topology, store, id: record!.id };
}

describe('postbox outbox show and replay', () => {
  it('shows a send dead-letter with its reason, fails to replay it while the topic is gone, and replays it once it is back', async () => {
    const { stage, topology, store, id } = await withDeadLetter();
    const shown = await postbox(stage, ['outbox', 'show']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(id);
    expect(shown.out).toMatch(new RegExp(`topic pay-${stage}-payments does not exist`));
    expect(shown.out).toContain(`1 send dead-letter(s) in outbox table pay-${stage}-outbox`);
    const json = JSON.parse((await postbox(stage, ['--json', 'outbox', 'show', '--id', id])).out);
    expect(json).toMatchObject({ shown: 1, deadLetters: [{ id, status: 'dead-lettered', attempts: 1, type: 'payment.refunded' }] });
    const asked = await postbox(stage, ['outbox', 'show', '--id', id, 'nosuch']);
    expect(asked.code).toBe(3);
    expect(asked.out).toContain(id);
    expect(asked.err).toBe(`postbox: 1 id(s) are not in outbox table pay-${stage}-outbox: nosuch; outbox show without --id lists what it holds`);

    const failedAgain = await postbox(stage, ['outbox', 'replay']);
    expect(failedAgain.code).toBe(1);
    expect(failedAgain.out).toContain('sent 0, failed again 1');
    expect((await store.deadLetters())[0]).toMatchObject({ id, attempts: 2 });

    const back = await provisionTopology(topology, clients);
    const replayed = await postbox(stage, ['outbox', 'replay', '--id', id]);
    expect(replayed).toMatchObject({ code: 0, out: `replayed from outbox table pay-${stage}-outbox: sent 1, failed again 0` });
    const [delivered] = await consumeInOrder(clients.sqs, back.queues.get('fraud')!.url, 1);
    expect(JSON.parse(delivered!.Body!).id).toBe(id);
    expect((await postbox(stage, ['outbox', 'show'])).out).toBe(`no send dead-letters in outbox table pay-${stage}-outbox`);
  });

  it('replays a JSON-lines send dead-letter named by --file', async () => {
    const stage = uniqueStage();
    const topology = resolveTopology(paymentsTopology, { stage });
    const provisioned = await provisionTopology(topology, clients);
    const [record] = await new Publisher(paymentsTopology, { source: 'script', stage, ...clients }).serialize([{ type: 'payment.received', data: { paymentId: 'p-2', amountCents: 1 } }]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-outbox-cli-')), 'unsent.jsonl');
    writeFileSync(file, `${JSON.stringify({ ...record, status: 'dead-lettered', reason: 'endpoint down', attempts: 3 })}\n`);
    expect((await postbox(stage, ['outbox', 'show', '--file', file])).out).toContain('endpoint down');
    expect(await postbox(stage, ['outbox', 'replay', '--file', file])).toMatchObject({ code: 0, out: `replayed from file ${file}: sent 1, failed again 0` });
    const [delivered] = await consumeInOrder(clients.sqs, provisioned.queues.get('accounting')!.url, 1);
    expect(JSON.parse(delivered!.Body!).id).toBe(record!.id);
  });

  it('refuses a send dead-letter file with a line that is not a record, naming the line (exit 2), and changes nothing', async () => {
    const { stage } = await withDeadLetter();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-unsent-')), 'unsent.jsonl');
    writeFileSync(file, '{"id":"m-1"}\nnot json\n');
    for (const command of ['show', 'replay']) {
      const result = await postbox(stage, ['outbox', command, '--file', file]);
      expect(result).toMatchObject({ code: 2, err: `postbox: send dead-letter file ${file}: line 2 is not JSON; fix or remove that line (the others are kept as they are), then try again.` });
    }
    expect(readFileSync(file, 'utf8')).toBe('{"id":"m-1"}\nnot json\n');
  });

  it('says what it cannot find: an id, a file, a table (exit 3)', async () => {
    const { stage } = await withDeadLetter();
    expect(await postbox(stage, ['outbox', 'replay', '--id', 'nope'])).toMatchObject({
      code: 3,
      err: `postbox: no send dead-letter with id nope in outbox table pay-${stage}-outbox; nothing was replayed (see postbox outbox show)`,
    });
    expect(await postbox(stage, ['outbox', 'show', '--file', '/nonexistent/unsent.jsonl'])).toMatchObject({ code: 3, err: expect.stringMatching(/^postbox: send dead-letter file \/nonexistent\/unsent.jsonl does not exist/) });
    const missing = await postbox(uniqueStage(), ['outbox', 'show']);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/^postbox: outbox table pay-t[0-9a-f]+-outbox does not exist at this endpoint/);
  });

  it.each([
    [['outbox', 'show', '--table', 'x'], /--table.*expected a DynamoDB table name/],
    [['outbox', 'show', '--table', 'pay-outbox', '--file', 'a.jsonl'], /--table.*cannot be used with option '--file/],
    [['outbox', 'show', '--max', '0'], /--max.*expected a whole number/],
    [['outbox', 'replay', '--id', ''], /--id.*expected a message id/],
    [['outbox', 'replay', '--file', ''], /--file.*expected the path/],
    [['outbox', 'replay', 'extra'], /too many arguments/],
  ])('refuses %j with exit 2 and one line on stderr', async (args, message) => {
    const result = await postbox(uniqueStage(), args);
    expect(result.code).toBe(2);
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(message);
  });
});
