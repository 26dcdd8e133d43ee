import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import type { MessageKind } from '../../messages/envelope.ts';
import type { AnyTopology, CommandType, EventType, MessageInput, MessageTypeName } from '../../messages/message-types.ts';
import { DEPLOYED_ENVIRONMENT } from '../../messages/wire-contract.ts';
import { resolveTopology, type ResolvedTopology } from '../../topology/resolve-topology.ts';
import { stageOf } from '../../topology/stage-of.ts';
import { createAwsClients } from '../../aws/aws-clients.ts';
import { endpointUrl } from '../../aws/aws-errors.ts';
import { S3PayloadStore, type PayloadStore } from '../payloads/s3-payload-store.ts';
import { BatchSender } from './batch-sender.ts';
import { MessagePreparer } from './message-preparer.ts';
import { PublisherScheduling } from './scheduling/publisher-scheduling.ts';
import { DestinationAddresses, locationProblems } from './destination-addresses.ts';
import { PublisherOptionsError } from './publish-errors.ts';
import { keepUnsent } from './outbox/keep-unsent.ts';
import { outboxRecordOf, type OutboxRecord } from './outbox/outbox-record.ts';
import type { PublishedMessage } from './batch-sender.ts';
import { chunk, deliveryErrorOf, snsEntry, sqsEntry, type Prepared, type PublishOptions, type SendOptions } from './publish-requests.ts';

export type { PublishedMessage } from './batch-sender.ts';
export type { PublishOptions, SendOptions } from './publish-requests.ts';
export type { BatchEntry, OutboxEntry, PublisherOptions, PublishReport } from './publisher-options.ts';
import type { BatchEntry, OutboxEntry, PublisherOptions, PublishReport } from './publisher-options.ts';

export { SNS_MAX_MESSAGE_BYTES, SQS_MAX_BATCH_BYTES } from './message-preparer.ts';
export { SQS_MAX_DELAY_SECONDS } from './scheduling/schedule-timing.ts';

/**
 * Publishes events to their topic and sends commands to their queue, typed by
 * the topology. Every message is validated and serialized before anything is
 * sent; batches go 10 entries at a time, concurrently, and only the entries
 * SNS/SQS failed on their side, or did not answer for, are retried.
 *
 * @example
 * import { Publisher } from 'postbox';
 * import { shopTopology } from './shop-topology.ts';
 *
 * const publisher = new Publisher(shopTopology, { source: 'checkout' }); // the stage from POSTBOX_STAGE
 * await publisher.publish('order.placed', { orderId: 'o-1' });           // to the orders topic
 * await publisher.send('invoice.generate', { orderId: 'o-1' });          // to the command's queue
 */
export class Publisher<T extends AnyTopology> {
  readonly topology: ResolvedTopology;
  private readonly preparer: MessagePreparer;
  private readonly sns: SNSClient;
  private readonly sqs: SQSClient;
  private readonly addresses: DestinationAddresses;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly batches: BatchSender;
  private readonly payloads: PayloadStore;
  private readonly scheduling: PublisherScheduling;

  constructor(
    declaration: T,
    private readonly options: PublisherOptions,
  ) {
    if (options.source === '') {
      throw new PublisherOptionsError([
        "source is empty; name the producer as a URI reference ('orders-service', 'urn:orders:checkout'): consumers refuse an envelope without one",
      ]);
    }
    const problems = locationProblems(options);
    if (problems.length > 0) throw new PublisherOptionsError(problems);
    this.topology = resolveTopology(declaration, { stage: stageOf(options.stage) });
    this.preparer = new MessagePreparer(this.topology, options, options.payloadBucket ?? (process.env[DEPLOYED_ENVIRONMENT.payloadBucket] || undefined));
    const clients = options.sns && options.sqs ? undefined : createAwsClients({ ...(options.region && { region: options.region }) });
    this.sns = options.sns ?? clients!.sns;
    this.sqs = options.sqs ?? clients!.sqs;
    this.addresses = new DestinationAddresses(this.sns, this.sqs, {
      ...(options.routes && { routes: options.routes }),
      ...(options.account && { account: options.account }),
      ...(options.region && { region: options.region }),
    });
    this.limit = pLimit(options.concurrency ?? 8);
    this.batches = new BatchSender(this.sns, this.sqs, this.addresses, { maxAttempts: options.maxAttempts ?? 3, retryBaseMs: options.retryBaseMs ?? 100 });
    this.scheduling = new PublisherScheduling(options.scheduler, options.region);
    // Payloads go where the messages go: to the endpoint of the SNS client the Publisher was given (an emulator's).
    const sns = this.sns;
    this.payloads = new S3PayloadStore(options.s3, { ...(options.region && { region: options.region }) }, async () => {
      const endpoint = await sns.config.endpoint?.();
      return endpoint && endpointUrl(endpoint);
    });
  }

  /** Publishes one event to its topic. Throws the validation error, or a DeliveryError. */
  async publish<K extends EventType<T>>(type: K, data: MessageInput<T, K>, options: PublishOptions = {}): Promise<PublishedMessage> {
    return this.sendOne(this.preparer.prepare(0, 'event', type, data, options));
  }

  /** Sends one command to its queue. Throws the validation error, or a DeliveryError. */
  async send<K extends CommandType<T>>(type: K, data: MessageInput<T, K>, options: SendOptions = {}): Promise<PublishedMessage> {
    return this.sendOne(this.preparer.prepare(0, 'command', type, data, options));
  }

  /**
   * Deletes the schedule of a message published or sent for later (`at`, or a delay past what SQS delays); true if
   * it was still waiting, false if it was delivered already, cancelled, or never scheduled.
   */
  async cancelScheduled(id: string): Promise<boolean> {
    return this.scheduling.cancel(id);
  }

  /** Publishes events in batches. Throws BatchValidationError, sending nothing, if any is invalid. */
  publishMany<K extends EventType<T>>(entries: ReadonlyArray<BatchEntry<T, K>>): Promise<PublishReport> {
    return this.deliverMany('event', entries);
  }

  /** Sends commands in batches. Throws BatchValidationError, sending nothing, if any is invalid. */
  sendMany<K extends CommandType<T>>(entries: ReadonlyArray<BatchEntry<T, K>>): Promise<PublishReport> {
    return this.deliverMany('command', entries);
  }

  /**
   * Validates and serializes events and commands into pending outbox records, sending nothing: what an outbox
   * store writes in the transaction of the business change (`Outbox.transactWrite` does). Throws
   * BatchValidationError if any is invalid. A message over its destination's limit is stored in the payload bucket
   * first (PayloadStoreError if it cannot be), and its record holds the pointer: write the records only after this
   * resolves (an object whose transaction then fails is an orphan, which the bucket's lifecycle rule removes).
   */
  async serialize<K extends MessageTypeName<T>>(entries: ReadonlyArray<OutboxEntry<T, K>>, writtenAt: Date = new Date()): Promise<OutboxRecord[]> {
    const prepared = this.preparer.prepareAll(undefined, entries);
    await Promise.all(prepared.filter((message) => message.payload).map((message) => this.limit(() => this.storePayload(message))));
    return prepared.map((message) => outboxRecordOf(message, entries[message.index]!.aggregateKey, writtenAt, message.index));
  }

  private async deliverMany(kind: MessageKind, entries: ReadonlyArray<{ type: string; data: unknown; options?: SendOptions }>): Promise<PublishReport> {
    const prepared = this.preparer.prepareAll(kind, entries);

    const results: PublishedMessage[] = [];
    // A payload that could not be stored fails its message alone; the pointer is sent only once its payload is there.
    const stored = await Promise.all(
      prepared.map((message) =>
        message.payload === undefined
          ? message
          : this.limit(() => this.storePayload(message)).then(
              () => message,
              (error: unknown) => void results.push({ index: message.index, id: message.envelope.id, type: message.envelope.type, status: 'failed', error: deliveryErrorOf(message, error), attempts: 1 }),
            ),
      ),
    );
    let calls = 0;
    await Promise.all(
      chunk(stored.filter((message) => message !== undefined)).map((batch) =>
        this.limit(async () => {
          const outcome = await this.batches.send(batch);
          calls += outcome.calls;
          results.push(...outcome.results);
        }),
      ),
    );
    results.sort((a, b) => a.index - b.index);
    const sent = results.filter((result) => result.status === 'sent').length;
    const report = { results, sent, failed: results.length - sent, calls, deadLettered: 0 };
    return this.options.sendDeadLetter && report.failed > 0 ? keepUnsent(this.options.sendDeadLetter, prepared, report, (message) => this.limit(() => this.storePayload(message))) : report;
  }

  /** Stores an offloaded message's payload, before its pointer is sent; nothing for a message sent whole. */
  private async storePayload(message: Prepared): Promise<void> {
    if (message.payload) await this.payloads.put(message.envelope.id, message.payload.pointer, message.payload.body);
  }

  private async sendOne(message: Prepared): Promise<PublishedMessage> {
    // Before anything is stored: a publisher that cannot schedule says so, as it is, not as a failed delivery.
    if (message.scheduledAt) this.scheduling.scheduler();
    try {
      await this.storePayload(message);
      if (message.scheduledAt) return await this.scheduling.schedule(message, await this.addresses.of(message.destination), message.scheduledAt);
      const address = await this.addresses.of(message.destination);
      const messageId =
        message.destination.kind === 'topic'
          ? (await this.sns.send(new PublishCommand({ TopicArn: address, ...snsEntry(message) }))).MessageId
          : (await this.sqs.send(new SendMessageCommand({ QueueUrl: address, ...sqsEntry(message) }))).MessageId;
      return { index: 0, id: message.envelope.id, type: message.envelope.type, status: 'sent', attempts: 1, ...(messageId && { messageId }) };
    } catch (error) {
      throw deliveryErrorOf(message, error);
    }
  }
}
