import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { MessageTooLargeError } from '../../lib/messages/message-errors.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

/*
 * The publisher's size check follows each destination's own maxMessageSizeBytes: a command queue's up to SQS's
 * 1 MiB, and a topic's. What fits is sent whole; what does not is refused before anything is sent (no payload bucket
 * here). A topic above 256 KiB is not sent to: fauxqs and moto still refuse SNS messages over 256 KiB, whatever the
 * topic's MaximumMessageSize (docs/large-payloads.md), so a topic's setting is shown below the default.
 */

const clients = emulatorClients();
const KiB = 1024;
const Text = z.object({ text: z.string() });
const worker = { kind: 'worker' } as const;

const sizesTopology = defineTopology({
  app: 'sizes',
  events: { 'note.posted': { schema: Text } },
  commands: { 'blob.store': { schema: Text }, 'note.trim': { schema: Text } },
  topics: { notes: { events: ['note.posted'], maxMessageSizeBytes: 4 * KiB } },
  subscribers: { reader: { topic: 'notes', events: ['note.posted'], handler: worker } },
  commandHandlers: {
    'blob.store': { handler: worker, queue: { maxMessageSizeBytes: 1024 * KiB } },
    'note.trim': { handler: worker, queue: { maxMessageSizeBytes: 2 * KiB } },
  },
});

async function setUp() {
  const stage = uniqueStage();
  const provisioned = await provisionTopology(resolveTopology(sizesTopology, { stage }), clients);
  const publisher = new Publisher(sizesTopology, { stage, source: 'test', ...clients });
  return { publisher, queueUrl: (id: string) => provisioned.queues.get(id)!.url };
}

async function refusal(sending: Promise<unknown>): Promise<MessageTooLargeError> {
  const error = await sending.then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(MessageTooLargeError);
  return error as MessageTooLargeError;
}

describe("the publisher's size check follows the destination's maxMessageSizeBytes", () => {
  it('sends a command of 900 KiB whole to a queue set to 1 MiB, and refuses one over 1 MiB before sending', async () => {
    const { publisher, queueUrl } = await setUp();
    await publisher.send('blob.store', { text: 'x'.repeat(900 * KiB) }, { id: 'big-fits' });
    const [received] = await receiveAvailable(clients.sqs, queueUrl('blob-store'), { expected: 1 });
    expect(JSON.parse(received!.Body!).data.text).toHaveLength(900 * KiB);
    expect(received!.MessageAttributes).not.toHaveProperty('ExtendedPayloadSize');

    const error = await refusal(publisher.send('blob.store', { text: 'x'.repeat(1024 * KiB) }, { id: 'too-big' }));
    expect(error.limitBytes).toBe(1024 * KiB);
    expect(error.message).toMatch(/^Message too-big of type 'blob.store' is \d+ bytes, over the 1048576-byte limit of queue sizes-t[0-9a-f]+-blob-store; /);
  });

  it("refuses a command over a queue's smaller setting (2 KiB) before sending, and sends one within it", async () => {
    const { publisher, queueUrl } = await setUp();
    const error = await refusal(publisher.send('note.trim', { text: 'x'.repeat(3 * KiB) }));
    expect(error.limitBytes).toBe(2 * KiB);
    await publisher.send('note.trim', { text: 'short' });
    const [received] = await receiveAvailable(clients.sqs, queueUrl('note-trim'), { expected: 1 });
    expect(JSON.parse(received!.Body!).data.text).toBe('short');
    expect(await queueDepth(clients.sqs, queueUrl('note-trim'))).toEqual({ visible: 0, inFlight: 1 });
  });

  it("refuses an event over its topic's setting (4 KiB) before publishing, and publishes one within it", async () => {
    const { publisher, queueUrl } = await setUp();
    const error = await refusal(publisher.publish('note.posted', { text: 'x'.repeat(5 * KiB) }));
    expect(error.limitBytes).toBe(4 * KiB);
    expect(error.destination).toMatch(/^topic sizes-t[0-9a-f]+-notes$/);
    await publisher.publish('note.posted', { text: 'x'.repeat(3 * KiB) });
    const [received] = await receiveAvailable(clients.sqs, queueUrl('reader'), { expected: 1 });
    expect(JSON.parse(received!.Body!).data.text).toHaveLength(3 * KiB);
  });
});
