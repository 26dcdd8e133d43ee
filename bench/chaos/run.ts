import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { browse } from '../../lib/operations/dead-letter-browser.ts';
import { redriveClientSide } from '../../lib/operations/dead-letter-redrive.ts';
import { startEmbeddedEmulator } from '../../lib/local/embedded-emulator.ts';
import { LocalEventSource } from '../../lib/local/local-event-source.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionIdempotencyTable, provisionJobLockTable } from '../../lib/local/store-provisioner.ts';
import { createAwsClients } from '../../lib/aws/aws-clients.ts';
import { DynamoDbIdempotencyStore } from '../../lib/runtime/consuming/idempotency/dynamodb-idempotency-store.ts';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import type { QueueId } from '../../lib/topology/queue-types.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { chaosVerdict, deadLetterEntry, tally, type ChaosTally, type DeadLetterEntry } from './chaos-accounting.ts';
import { chaosHandlers } from './chaos-handlers.ts';
import type { ChaosWorkerSettings } from './chaos-settings.ts';
import { chaosTopologyOf } from './chaos-topology.ts';
import { publishTraffic } from './chaos-traffic.ts';
import { EffectLedger } from './effect-ledger.ts';
import { seededRandom, type FaultRates } from './fault-plan.ts';
import { withSdkFaults, type SdkFaults } from './faulty-sqs-client.ts';
import { TcpFaultProxy } from './tcp-fault-proxy.ts';

/**
 * `npm run chaos`: the example topology under faults, bounded (under 10
 * minutes, loopback only), in two passes side by side: handlers as they come,
 * then every queue idempotent (each effect written with its message's
 * idempotency record, in one transaction). In each, 10,000 messages (1,000 in the idempotent pass) — events
 * fanned out, commands, plain SNS publishes among them — go through the Lambda
 * pipeline (local event sources) and the analytics workers (separate processes)
 * while handlers throw, give up or hang, workers are SIGKILLed, the emulator is
 * cut off for 10 s and SQS responses are dropped or delayed; then every DLQ is
 * redriven. It prints one table and exits 1 if a message was lost, a dead letter
 * has no reason or one the fault plan did not call for, a duplicate is
 * unexplained (in the idempotent pass: any duplicate), or the queues did not drain.
 */
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 10_000);
/**
 * The idempotent pass is smaller: moto, which serves DynamoDB here, copies every table a transaction touches
 * (moto/dynamodb/models/__init__.py, transact_write_items), so each transaction costs as much as the records so far
 * and 10,000 messages would not drain in minutes. DynamoDB itself does not.
 */
const IDEMPOTENT_MESSAGES = Number(process.env.CHAOS_IDEMPOTENT_MESSAGES ?? 1_000);
const seed = process.env.CHAOS_SEED ?? randomBytes(4).toString('hex');
const random = seededRandom(seed);
const rates: FaultRates = { throw: 0.1, unrecoverable: 0.005, hang: 0.002 };
const sdkFaults: SdkFaults = { dropResponse: 0.01, delay: 0.02, maxDelayMs: 1500 };
const OUTAGE = { atMs: 6_000, forMs: 10_000 };
const KILLS = 4;
const DRAIN_LIMIT_MS = 200_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const runDirectory = path.resolve(import.meta.dirname, '../.out', `chaos-${seed}`);
// The ledger of an earlier run of the same seed must not count in this one.
rmSync(runDirectory, { recursive: true, force: true });

console.log(`Postbox chaos run: seed ${seed} (CHAOS_SEED=${seed} repeats its faults), Node.js ${process.versions.node}, logs in ${path.relative(process.cwd(), runDirectory)}\n`);

const emulator = await startEmbeddedEmulator('fauxqs');
const proxy = await TcpFaultProxy.start(new URL(emulator.endpoint));
const credentials = { accessKeyId: 'chaos', secretAccessKey: 'chaos' };
const direct = createAwsClients({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
const throughProxy = createAwsClients({ endpoint: proxy.endpoint, region: 'us-east-1', credentials });
const injected = { dropped: 0, delayed: 0 };
const faultySqs = withSdkFaults(new SQSClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials }), sdkFaults, Math.random, injected);
const dynamodbDirect = new DynamoDBClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
// The idempotency records are reached through the proxy, as SQS is: the outage cuts them off too.
const dynamodbThroughProxy = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials });

/** The idempotent pass's ledger: a table the handlers write each effect to, with its message's idempotency record. */
async function provisionEffectsTable(tableName: string): Promise<string> {
  await dynamodbDirect.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

/** What one pass measured. */
interface PassResult {
  readonly result: ChaosTally;
  readonly drained: boolean;
  readonly drainSeconds: number;
  readonly deadLetters: readonly DeadLetterEntry[];
  readonly kills: number;
  readonly pollErrors: number;
}

/**
 * One pass of the run on a stage of its own: the same faults, with every handler idempotent (its queue declares
 * `idempotency`, keyed by the producer's key) or not.
 */
async function runPass(idempotent: boolean): Promise<PassResult> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const say = (text: string) => console.log(`[${idempotent ? 'idempotent' : 'as it comes'} ${elapsed().padStart(7)}] ${text}`);
  const stage = `chaos${seed}${idempotent ? 'i' : ''}`;
  const chaosTopology = chaosTopologyOf(idempotent);
  const out = path.join(runDirectory, idempotent ? 'idempotent' : 'as-it-comes');
  mkdirSync(out, { recursive: true });
  const logFile = path.join(out, 'run.log');

  const resolved = resolveTopology(chaosTopology, { stage });
  const provisioned = await provisionTopology(resolved, direct);
  const jobLockTable = (await provisionJobLockTable(resolved, dynamodbDirect))!;
  const idempotencyTable = await provisionIdempotencyTable(resolved, dynamodbDirect);
  const effectsTable = idempotent ? await provisionEffectsTable(`${stage}-effects`) : undefined;
  const ledger = new EffectLedger(out);
  const logger = createLogger({ pid: process.pid }, { level: 'warn', write: (line) => appendFileSync(logFile, `${line}\n`) });
  say(`emulator (fauxqs, moto behind it) at ${emulator.endpoint}, every client through the fault proxy at ${proxy.endpoint}; topology provisioned as stage ${stage}${idempotencyTable ? `, idempotency records in ${idempotencyTable}` : ''}`);

  // The Lambda functions: two concurrent local event sources a queue, as Lambda polls with several pollers.
  const lambdaQueues = resolved.queues.filter((queue) => queue.handler.kind === 'lambda');
  const sources = lambdaQueues.flatMap((queue) => {
    const addresses = provisioned.queues.get(queue.id)!;
    const handler = createSqsHandler(chaosTopology, {
      stage,
      queue: queue.id as QueueId<typeof chaosTopology>,
      handlers: chaosHandlers(queue.id, queue.messageTypes, { seed, rates, ledger, idempotent, ...(effectsTable && { effectsTable }) }) as never,
      sqs: faultySqs,
      queueUrl: addresses.url,
      deadLetterQueueUrl: addresses.deadLetterUrl,
      logger,
      writeMetrics: () => undefined,
      ...(idempotencyTable && { idempotencyStore: new DynamoDbIdempotencyStore({ tableName: idempotencyTable, dynamodb: dynamodbThroughProxy }) }),
    });
    return [1, 2].map(() => new LocalEventSource({ sqs: faultySqs, queueUrl: addresses.url, handler, timeoutSeconds: queue.handler.timeoutSeconds, waitTimeSeconds: 1 }));
  });
  let pollErrors = 0;
  for (const source of sources) source.start(undefined, () => (pollErrors += 1));

  // The workers: separate processes, so that a SIGKILL is a real one.
  const workerSettings: ChaosWorkerSettings = { endpoint: proxy.endpoint, stage, seed, rates, sdkFaults, ledgerDirectory: out, jobLockTable, logFile, idempotent, ...(effectsTable && { effectsTable }) };
  const workers = new Set<ChildProcess>();
  const kills: Array<{ pid: number; at: number }> = [];
  const spawnWorker = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'chaos-worker-main.ts'), JSON.stringify(workerSettings)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    workers.add(child);
    child.once('exit', () => workers.delete(child));
  };
  spawnWorker();
  spawnWorker();

  // The faults on a schedule: the outage, and SIGKILLs at random moments of the first 40 s.
  const outageWindow = { from: 0, to: 0 };
  const outage = sleep(OUTAGE.atMs).then(async () => {
    say(`outage: the emulator is cut off for ${OUTAGE.forMs / 1000} s`);
    outageWindow.from = Date.now();
    await proxy.outage(OUTAGE.forMs);
    outageWindow.to = Date.now();
    say('outage over');
  });
  const killTimes = Array.from({ length: KILLS }, () => 2_000 + random() * 38_000).sort((a, b) => a - b);
  const killing = (async () => {
    let last = 0;
    for (const at of killTimes) {
      await sleep(at - last);
      last = at;
      const victim = [...workers][Math.floor(random() * workers.size)];
      if (!victim?.pid) continue;
      kills.push({ pid: victim.pid, at: Date.now() });
      victim.kill('SIGKILL');
      say(`SIGKILL worker ${victim.pid}; a fresh one starts`);
      spawnWorker();
    }
  })();

  const messages = idempotent ? IDEMPOTENT_MESSAGES : MESSAGES;
  say(`publishing ${messages.toLocaleString('en-US')} messages`);
  const publisher = new Publisher(chaosTopology, { stage, source: 'chaos', sns: throughProxy.sns, sqs: throughProxy.sqs });
  const traffic = await publishTraffic(publisher, throughProxy.sns, provisioned.topicArns.get('orders')!, messages, random);
  say(`published ${traffic.published.toLocaleString('en-US')} (${traffic.plainPublishes} plain SNS publishes; ${traffic.resent} sent again after a failed send)`);
  await Promise.all([outage, killing]);

  /** True once every main queue holds nothing, visible, in flight or delayed, three checks in a row. */
  async function drain(limitMs: number): Promise<boolean> {
    const deadline = Date.now() + limitMs;
    let quiet = 0;
    while (Date.now() < deadline) {
      const depths = await Promise.all(
        [...provisioned.queues.values()].map(async ({ url }) => {
          const { Attributes = {} } = await direct.sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
            }),
          );
          return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible) + Number(Attributes.ApproximateNumberOfMessagesDelayed);
        }),
      );
      quiet = depths.every((depth) => depth === 0) ? quiet + 1 : 0;
      if (quiet >= 3) return true;
      await sleep(1000);
    }
    return false;
  }

  let drained = await drain(DRAIN_LIMIT_MS - (Date.now() - started));
  say(drained ? 'every queue drained' : 'the queues did not drain in time');
  let redriven = 0;
  for (const queue of resolved.queues) {
    const addresses = provisioned.queues.get(queue.id)!;
    const summary = await redriveClientSide(direct.sqs, { queue, ...addresses }, {}, { max: 100_000 });
    redriven += summary.moved;
  }
  say(`redrove every DLQ: ${redriven} messages back to their queues`);
  drained = (await drain(Math.max(30_000, DRAIN_LIMIT_MS - (Date.now() - started)))) && drained;
  const drainSeconds = (Date.now() - started) / 1000;
  say(drained ? 'drained again' : 'the queues did not drain in time after the redrive');

  await Promise.all(sources.map((source) => source.stop()));
  await Promise.all(
    [...workers].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );

  const deadLetters: DeadLetterEntry[] = [];
  for (const queue of resolved.queues) {
    const messages = await browse(direct.sqs, provisioned.queues.get(queue.id)!.deadLetterUrl, 100_000, 300);
    deadLetters.push(...messages.map((message) => deadLetterEntry(queue.id, message)));
  }
  const visibilityMs = Object.fromEntries(resolved.queues.map((queue) => [queue.id, queue.visibilityTimeoutSeconds * 1000]));
  const maxReceiveCount = Object.fromEntries(resolved.queues.map((queue) => [queue.id, queue.maxReceiveCount]));
  const result = tally(traffic.published, traffic.expected, effectsTable ? await EffectLedger.readTable(dynamodbDirect, effectsTable) : EffectLedger.readAll(out), deadLetters, {
    plan: { seed, rates, maxReceiveCount },
    kills,
    outage: outageWindow,
    resends: traffic.resends,
    visibilityMs,
  });
  return { result, drained, drainSeconds, deadLetters, kills: kills.length, pollErrors };
  }

const passes = [await runPass(false), await runPass(true)] as const;
await proxy.close();
await emulator.stop();

const fmt = (n: number) => n.toLocaleString('en-US');
const [plain, once] = passes;
const duplicateNote = (result: ChaosTally) =>
  `${fmt(result.duplicatesFromKills)} after a SIGKILL between success and delete, ${fmt(result.duplicatesFromOutage)} after the outage outlasted a worker's visibility timeout, ${fmt(result.duplicatesFromResends)} of a message the producer sent again, ${fmt(result.unexplainedDuplicates)} unexplained`;
const rows: Array<[string, string, string, string]> = [
  ['', 'as it comes', 'idempotent', 'target'],
  ['messages published', fmt(plain.result.published), fmt(once.result.published), `${fmt(plain.result.deliveries)} deliveries expected (events × subscribers)`],
  ['processed at least once', fmt(plain.result.processed), fmt(once.result.processed), ''],
  ['lost', fmt(plain.result.lost.length), fmt(once.result.lost.length), '0'],
  ['duplicate effects', fmt(plain.result.duplicateEffects), fmt(once.result.duplicateEffects), '0 unexplained as it comes; 0 idempotent'],
  ['dead-lettered with a reason', fmt(plain.result.deadLetteredWithReason), fmt(once.result.deadLetteredWithReason), ''],
  ['dead-lettered without a reason', fmt(plain.result.deadLetteredWithoutReason.length), fmt(once.result.deadLetteredWithoutReason.length), '0'],
  ['dead letters not in the plan', fmt(plain.result.unexplainedDeadLetters.length), fmt(once.result.unexplainedDeadLetters.length), '0 (counted as lost when never handled)'],
  ['time to drain', `${plain.drainSeconds.toFixed(0)} s`, `${once.drainSeconds.toFixed(0)} s`, 'drained, redrive included'],
];
console.log(
  `\nfaults in each pass: handler throws ${rates.throw * 100} % of attempts, UnrecoverableError ${rates.unrecoverable * 100} % of messages, hangs ${rates.hang * 100} % of attempts; ` +
    `${KILLS} worker SIGKILLs; ${OUTAGE.forMs / 1000} s emulator outage; in this process ${injected.dropped} SQS responses dropped, ${injected.delayed} delayed; ${plain.pollErrors} + ${once.pollErrors} failed polls\n`,
);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
console.log(`\nduplicate effects as they come: ${duplicateNote(plain.result)}`);
console.log(`duplicate effects idempotent: ${duplicateNote(once.result)}`);
const failures: string[] = [];
for (const [name, pass] of [['as it comes', plain], ['idempotent', once]] as const) {
  const reasons = new Map<string, number>();
  for (const entry of pass.deadLetters) reasons.set(entry.reason ?? 'none', (reasons.get(entry.reason ?? 'none') ?? 0) + 1);
  console.log(`\n${name}: dead letters by reason: ${[...reasons].map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none'}`);
  for (const delivery of pass.result.lost.slice(0, 10)) console.log(`lost: ${delivery.key} on ${delivery.queue}`);
  for (const entry of pass.result.deadLetteredWithoutReason.slice(0, 10)) console.log(`no reason: ${entry.key ?? 'unreadable'} in the DLQ of ${entry.queue}`);
  const unplanned = new Map<string, DeadLetterEntry[]>();
  for (const entry of pass.result.unexplainedDeadLetters) unplanned.set(entry.reason!, [...(unplanned.get(entry.reason!) ?? []), entry]);
  for (const [reason, entries] of unplanned) {
    const shown = entries.slice(0, 5).map((entry) => `${entry.key ?? 'unreadable'} on ${entry.queue} (attempt ${entry.attempt ?? '?'})`);
    console.log(`not in the fault plan: ${reason} ${entries.length}: ${shown.join(', ')}${entries.length > 5 ? ', …' : ''}`);
  }
  const verdict = chaosVerdict(pass.result, pass.drained, { duplicatesAllowed: name === 'as it comes' });
  failures.push(...verdict.failures.map((failure) => `${name}: ${failure}`));
}
if (failures.length > 0) console.log(`\nFAILED: ${failures.join('; ')}`);
process.exit(failures.length > 0 ? 1 : 0);
