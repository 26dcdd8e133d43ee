import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { LocalEventSource, type SqsLambdaHandler } from '../../lib/local/local-event-source.ts';
import { provisionTopology, type ProvisionedTopology } from '../../lib/local/provisioner.ts';
import { UnrecoverableError } from '../../lib/messages/message-errors.ts';
import { createSqsHandler } from '../../lib/runtime/consuming/lambda/create-sqs-handler.ts';
import { PollingConsumer } from '../../lib/runtime/consuming/polling/polling-consumer.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { RequestFailedError, RequestTimeoutError } from '../../lib/runtime/publishing/request-reply/request-errors.ts';
import { Requester } from '../../lib/runtime/publishing/request-reply/requester.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

const reportsTopology = defineTopology({
  app: 'reports',
  events: {},
  topics: {},
  commands: {
    'report.generate': { schema: z.object({ month: z.string(), mode: z.enum(['ok', 'slow', 'fail', 'bad-reply']).default('ok') }), reply: z.object({ url: z.string().url() }) },
    'report.archive': { schema: z.object({ month: z.string() }), reply: z.object({ archived: z.number().int() }) },
  },
  commandHandlers: {
    'report.generate': { handler: { kind: 'lambda', entry: 'functions/generate.ts' }, queue: { maxReceiveCount: 1 } },
    'report.archive': { handler: { kind: 'worker', concurrency: 2 } },
  },
});

const clients = emulatorClients();
const silent = createLogger({}, { write: () => undefined });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('request-reply against the emulator', () => {
  const stage = uniqueStage();
  let provisioned: ProvisionedTopology;
  let source: LocalEventSource;
  let worker: PollingConsumer;
  let requester: Requester<typeof reportsTopology>;
  let lambdaRunning = true;
  let lambdaLoop: Promise<void>;
  const archiveGoesOn: string[] = [];
  const generateRuns: string[] = [];

  beforeAll(async () => {
    provisioned = await provisionTopology(resolveTopology(reportsTopology, { stage }), clients);
    const generate = provisioned.queues.get('report-generate')!;
    const handler = createSqsHandler(reportsTopology, {
      stage,
      queue: 'report-generate',
      sqs: clients.sqs,
      queueUrl: generate.url,
      deadLetterQueueUrl: generate.deadLetterUrl,
      logger: silent,
      writeMetrics: () => undefined,
      handlers: {
        'report.generate': async ({ data }) => {
          generateRuns.push(data.month);
          if (data.mode === 'slow') await sleep(2500);
          if (data.mode === 'fail') throw new UnrecoverableError('the month is closed', { code: 'MONTH_CLOSED' });
          if (data.mode === 'bad-reply') return { url: 'not a url' };
          return { url: `https://reports.example/${data.month}.pdf` };
        },
      },
    });
    source = new LocalEventSource({ sqs: clients.sqs, queueUrl: generate.url, handler: handler as unknown as SqsLambdaHandler, waitTimeSeconds: 1 });
    lambdaLoop = (async () => {
      while (lambdaRunning) await source.pollOnce().catch(() => sleep(200));
    })();
    const archive = provisioned.queues.get('report-archive')!;
    worker = new PollingConsumer(reportsTopology, {
      stage,
      queue: 'report-archive',
      sqs: clients.sqs,
      queueUrl: archive.url,
      deadLetterQueueUrl: archive.deadLetterUrl,
      waitTimeSeconds: 1,
      logger: silent,
      writeMetrics: () => undefined,
      handlers: {
        // A long task replies when its result is ready, then goes on with the rest of its work.
        'report.archive': async ({ data }, context) => {
          await context.reply({ archived: 12 });
          await sleep(300);
          archiveGoesOn.push(data.month);
        },
      },
    });
    worker.start();
    requester = new Requester(reportsTopology, { stage, source: 'web', ...clients, waitTimeSeconds: 1, logger: silent });
    await requester.start();
  });

  afterAll(async () => {
    lambdaRunning = false;
    await requester?.stop().catch(() => undefined);
    await worker?.stop();
    await lambdaLoop;
  });

  it("gets the Lambda handler's reply, typed and validated by the command's reply schema", async () => {
    const reply = await requester.request('report.generate', { month: '2026-11' }, { timeoutSeconds: 20 });
    expect(reply).toEqual({ url: 'https://reports.example/2026-11.pdf' });
  });

  it("gets a worker's reply as soon as it calls context.reply, while its task goes on", async () => {
    const reply = await requester.request('report.archive', { month: '2026-10' }, { timeoutSeconds: 20 });
    expect(reply).toEqual({ archived: 12 });
    expect(archiveGoesOn).not.toContain('2026-10');
    await sleep(1500);
    expect(archiveGoesOn).toContain('2026-10');
  });

  it('times out a request whose reply comes too late, then drops that reply and counts it', async () => {
    const before = requester.lateReplies;
    const error = await requester.request('report.generate', { month: '2026-09', mode: 'slow' }, { timeoutSeconds: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).message).toMatch(/^Request .* \('report.generate'\) got no reply within 1 s/);
    const deadline = Date.now() + 15_000;
    while (requester.lateReplies === before && Date.now() < deadline) await sleep(100);
    expect(requester.lateReplies).toBe(before + 1);
  });

  it('fails a request its handler dead-lettered with the reason, at once rather than at its timeout', async () => {
    const started = Date.now();
    const error = await requester.request('report.generate', { month: '2026-08', mode: 'fail' }, { timeoutSeconds: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ failureCode: 'MONTH_CLOSED' });
    expect((error as Error).message).toContain('the month is closed');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("fails a request whose handler's reply does not match the reply schema, saying so", async () => {
    const error = await requester.request('report.generate', { month: '2026-07', mode: 'bad-reply' }, { timeoutSeconds: 30 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REQUEST_FAILED', failureCode: 'REPLY_INVALID' });
    expect((error as Error).message).toMatch(/does not match the command's reply schema: url: /);
  });

  // Found by a new user's trial of issue 23: the reply to a stopped requester failed on its deleted queue, so the
  // command was retried (run again) and, out of receives, dead-lettered, though it had done its work.
  it('drops the reply to a requester that stopped while its command ran: the command is handled once, not retried or dead-lettered', async () => {
    const gone = new Requester(reportsTopology, { stage, source: 'web', ...clients, waitTimeSeconds: 1, logger: silent, instance: 'gone' });
    await gone.start();
    const pending = gone.request('report.generate', { month: '1999-01', mode: 'slow' }, { timeoutSeconds: 30 }).catch((e: unknown) => e);
    const deadline = Date.now() + 10_000;
    while (!generateRuns.includes('1999-01') && Date.now() < deadline) await sleep(50);
    await gone.stop();
    expect(await pending).toMatchObject({ code: 'REQUESTER_NOT_RUNNING' });
    await sleep(6_000);
    expect(generateRuns.filter((month) => month === '1999-01')).toEqual(['1999-01']);
    const dead = await receiveAvailable(clients.sqs, provisioned.queues.get('report-generate')!.deadLetterUrl, { visibilitySeconds: 0 });
    expect(dead.filter((message) => message.Body?.includes('1999-01'))).toEqual([]);
  }, 30_000);

  it('deletes its reply queue on stop, and refuses requests after', async () => {
    const other = new Requester(reportsTopology, { stage, source: 'web', ...clients, waitTimeSeconds: 1, logger: silent, instance: 'short' });
    await other.start();
    expect(other.replyQueueName).toBe(`reports-${stage}-replies-short`);
    await clients.sqs.send(new GetQueueUrlCommand({ QueueName: other.replyQueueName }));
    await other.stop();
    await expect(clients.sqs.send(new GetQueueUrlCommand({ QueueName: other.replyQueueName }))).rejects.toThrow();
    await expect(other.request('report.generate', { month: '2026-06' })).rejects.toMatchObject({ code: 'REQUESTER_NOT_RUNNING' });
  });
});
