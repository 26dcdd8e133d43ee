import { CreateQueueCommand, DeleteMessageBatchCommand, SendMessageCommand, type DeleteMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/aws/aws-clients.ts';
import { LocalEventSource, type SqsLambdaHandler } from '../../lib/local/local-event-source.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { faultInjectingSqs, refusingUnknownReceiptHandles } from '../helpers/fault-injecting-sqs.ts';
import { pollUntil } from '../helpers/polling.ts';
import { queueDepth } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const succeed: SqsLambdaHandler = async () => ({ batchItemFailures: [] });

async function aQueueWith(bodies: string[]): Promise<string> {
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: `les-${uniqueStage()}`, Attributes: { VisibilityTimeout: '30' } }));
  for (const body of bodies) await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  return QueueUrl!;
}

describe('the local event source', () => {
  it('looks the queue ARN up again after a failed look-up, and strands no message meanwhile', async () => {
    const queueUrl = await aQueueWith(['{"n":1}']);
    let lookUps = 0;
    const sqs = faultInjectingSqs(clients.sqs, (command) =>
      command.constructor.name === 'GetQueueAttributesCommand' && ++lookUps === 1 ? new Error('connection reset by the emulator') : undefined,
    );
    const source = new LocalEventSource({ sqs, queueUrl, handler: succeed });

    await expect(source.pollOnce()).rejects.toThrow(`Could not look up the ARN of queue ${queueUrl} (connection reset by the emulator)`);
    expect(await queueDepth(clients.sqs, queueUrl)).toEqual({ visible: 1, inFlight: 0 });
    expect(await source.pollOnce()).toMatchObject({ received: 1, deleted: 1, failed: 0 });
    expect(lookUps).toBe(2);
  });

  it('counts a handled message SQS refused to delete as failed, and says which and why', async () => {
    const queueUrl = await aQueueWith(['{"n":1}', '{"n":2}']);
    // SQS refuses every second entry deleted: its receipt handle is not one SQS gave out.
    let entries = 0;
    const sqs = faultInjectingSqs(refusingUnknownReceiptHandles(clients.sqs), (command) => {
      if (!(command instanceof DeleteMessageBatchCommand)) return undefined;
      const input = command.input as DeleteMessageBatchCommandInput;
      return new DeleteMessageBatchCommand({ ...input, Entries: input.Entries!.map((entry) => (++entries % 2 === 0 ? { ...entry, ReceiptHandle: 'not-a-receipt-handle' } : entry)) });
    });
    const source = new LocalEventSource({ sqs, queueUrl, handler: succeed });
    const results = await pollUntil(source, () => entries === 2, 10_000);
    const result = {
      received: results.reduce((sum, r) => sum + r.received, 0),
      deleted: results.reduce((sum, r) => sum + r.deleted, 0),
      failed: results.reduce((sum, r) => sum + r.failed, 0),
      notDeleted: results.flatMap((r) => r.notDeleted),
    };
    expect(result).toMatchObject({ received: 2, deleted: 1, failed: 1 });
    expect(result.notDeleted).toEqual([{ messageId: expect.any(String), reason: expect.stringMatching(/^ReceiptHandleIsInvalid: /) }]);
    expect(await queueDepth(clients.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 1 });
  });

  it('tries the delete of a handled batch again when the call itself fails, as long as the messages stay hidden', async () => {
    const queueUrl = await aQueueWith(['{"n":1}', '{"n":2}']);
    let deleteCalls = 0;
    const sqs = faultInjectingSqs(clients.sqs, (command) =>
      command instanceof DeleteMessageBatchCommand && ++deleteCalls === 1 ? new Error('connect ECONNREFUSED (the endpoint is down for a moment)') : undefined,
    );
    const source = new LocalEventSource({ sqs, queueUrl, handler: succeed });
    const results = await pollUntil(source, async () => (await queueDepth(clients.sqs, queueUrl)).inFlight === 0 && deleteCalls > 0, 10_000);
    expect(results.reduce((sum, r) => sum + r.deleted, 0)).toBe(2);
    expect(results.flatMap((r) => r.notDeleted)).toEqual([]);
    expect(deleteCalls).toBe(2);
    expect(await queueDepth(clients.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('stops within its clients\' request timeout when the endpoint accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const blackHole = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
    try {
      const { sqs } = createAwsClients({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, longPollSeconds: 1 });
      const source = new LocalEventSource({ sqs, queueUrl: `${endpoint}/000000000000/nowhere`, handler: succeed });
      const errors: unknown[] = [];
      source.start(undefined, (error) => errors.push(error));
      await expect.poll(() => sockets.size, { timeout: 5_000 }).toBeGreaterThan(0);
      // 3 attempts of (1 s long poll + margin) each, a retry delay between them, and the 1 s pause after a failed poll.
      const stopped = await Promise.race([source.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(resolve, 25_000, 'still running'))]);
      expect(stopped).toBe('stopped');
      expect(errors).toEqual([expect.objectContaining({ code: 'QUEUE_ARN_LOOK_UP_FAILED', message: expect.stringContaining('exceeded the configured 6000 ms requestTimeout') })]);
    } finally {
      for (const socket of sockets) socket.destroy();
      blackHole.close();
    }
  }, 40_000);

  it('receives and invokes the next batch while the batch before is still being deleted', async () => {
    const queueUrl = await aQueueWith(['{"n":1}']);
    let held = false;
    let firstDeleteSent = false;
    const sqs = faultInjectingSqs(clients.sqs, async (command) => {
      if (!(command instanceof DeleteMessageBatchCommand) || held) return;
      held = true;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      firstDeleteSent = true;
    });
    const handled: Array<{ body: string; whileFirstDeleteHeld: boolean }> = [];
    const source = new LocalEventSource({
      sqs,
      queueUrl,
      waitTimeSeconds: 1,
      handler: async (event) => {
        for (const record of event.Records) handled.push({ body: record.body, whileFirstDeleteHeld: !firstDeleteSent });
        return { batchItemFailures: [] };
      },
    });
    source.start();
    try {
      const until = async (condition: () => boolean) => {
        const deadline = Date.now() + 10_000;
        while (!condition()) {
          if (Date.now() > deadline) throw new Error('condition not met in time');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      await until(() => handled.length === 1);
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"n":2}' }));
      await until(() => handled.length === 2);
      expect(handled).toEqual([
        { body: '{"n":1}', whileFirstDeleteHeld: true },
        { body: '{"n":2}', whileFirstDeleteHeld: true },
      ]);
    } finally {
      await source.stop();
    }
    // stop() waited for the held delete: nothing is left to come back.
    expect(await queueDepth(clients.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
  it('sends no receive while paused, so messages wait on the queue, and handles them once resumed', async () => {
    const queueUrl = await aQueueWith([]);
    const handled: string[] = [];
    const source = new LocalEventSource({
      sqs: clients.sqs,
      queueUrl,
      waitTimeSeconds: 1,
      handler: async (event) => {
        handled.push(...event.Records.map((record) => record.body));
        return { batchItemFailures: [] };
      },
    });
    source.start();
    source.pause();
    expect(source.paused).toBe(true);
    // The receive under way when it paused ends within its long poll (1 s).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"n":1}' }));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(handled).toEqual([]);
    expect(await queueDepth(clients.sqs, queueUrl)).toEqual({ visible: 1, inFlight: 0 });
    source.resume();
    await expect.poll(() => handled, { timeout: 10_000 }).toEqual(['{"n":1}']);
    await source.stop();
  });
});
