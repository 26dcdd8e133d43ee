import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { safeParse } from 'zod/mini';
import { dataSchemaUriOf } from '../../messages/data-schema-uri.ts';
import { createEnvelope, type MessageKind } from '../../messages/envelope.ts';
import { MessageCatalog } from '../../messages/message-catalog.ts';
import { encodeMessage } from '../../messages/message-codec.ts';
import {
  InvalidDelayError,
  MessageError,
  MessageTooLargeError,
  SchemaValidationError,
  UnknownMessageTypeError,
} from '../../messages/message-errors.ts';
import { deliveryForm, payloadObjectKey } from '../../messages/payload-pointer.ts';
import type { AnyTopology, CommandType, EventType, MessageInput, MessageTypeName } from '../../messages/message-types.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, DEPLOYED_ENVIRONMENT, PAYLOAD_KEY_PREFIX } from '../../messages/wire-contract.ts';
import { resolveTopology, topicOfEvent, type ResolvedTopology } from '../../topology/resolve-topology.ts';
import { stageOf } from '../../topology/stage-of.ts';
import { createAwsClients } from '../../aws/aws-clients.ts';
import { endpointUrl } from '../../aws/aws-errors.ts';
import { activeTraceContext, startMessageSpan } from '../observability/otel-spans.ts';
import { continueTrace, traceAttributes, type TraceContext } from '../observability/trace-context.ts';
import { S3PayloadStore, type PayloadStore } from '../payloads/s3-payload-store.ts';
import { BatchSender } from './batch-sender.ts';
import { PublisherScheduling } from './scheduling/publisher-scheduling.ts';
import { deliveryTiming } from './scheduling/schedule-timing.ts';
import { DestinationAddresses, locationProblems } from './destination-addresses.ts';
import { BatchValidationError, InvalidPublishOptionsError, PublisherOptionsError } from './publish-errors.ts';
import { keepUnsent } from './outbox/keep-unsent.ts';
import { outboxRecordOf, type OutboxRecord } from './outbox/outbox-record.ts';
import type { PublishedMessage } from './batch-sender.ts';
import {
  chunk,
  deliveryErrorOf,
  duplicatesIn,
  offloaded,
  optionProblems,
  snsEntry,
  sqsEntry,
  type Destination,
  type Prepared,
  type PublishOptions,
  type SendOptions,
} from './publish-requests.ts';

export type { PublishedMessage } from './batch-sender.ts';
export type { PublishOptions, SendOptions } from './publish-requests.ts';
export type { BatchEntry, OutboxEntry, PublisherOptions, PublishReport } from './publisher-options.ts';
import type { BatchEntry, OutboxEntry, PublisherOptions, PublishReport } from './publisher-options.ts';

/** SNS's limit on a message, and on the sum of a PublishBatch. */
export const SNS_MAX_MESSAGE_BYTES = DEFAULT_MAX_MESSAGE_BYTES;
/** SQS's limit on the sum of a SendMessageBatch. */
export const SQS_MAX_BATCH_BYTES = 1_048_576;
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
  private readonly catalog: MessageCatalog;
  private readonly sns: SNSClient;
  private readonly sqs: SQSClient;
  private readonly addresses: DestinationAddresses;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly batches: BatchSender;
  private readonly payloadBucket: string | undefined;
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
    this.catalog = new MessageCatalog(this.topology);
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
    this.payloadBucket = options.payloadBucket ?? (process.env[DEPLOYED_ENVIRONMENT.payloadBucket] || undefined);
    // Payloads go where the messages go: to the endpoint of the SNS client the Publisher was given (an emulator's).
    const sns = this.sns;
    this.payloads = new S3PayloadStore(options.s3, { ...(options.region && { region: options.region }) }, async () => {
      const endpoint = await sns.config.endpoint?.();
      return endpoint && endpointUrl(endpoint);
    });
  }

  /** Publishes one event to its topic. Throws the validation error, or a DeliveryError. */
  async publish<K extends EventType<T>>(type: K, data: MessageInput<T, K>, options: PublishOptions = {}): Promise<PublishedMessage> {
    return this.sendOne(this.prepare(0, 'event', type, data, options));
  }

  /** Sends one command to its queue. Throws the validation error, or a DeliveryError. */
  async send<K extends CommandType<T>>(type: K, data: MessageInput<T, K>, options: SendOptions = {}): Promise<PublishedMessage> {
    return this.sendOne(this.prepare(0, 'command', type, data, options));
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
    const prepared = this.prepareAll(undefined, entries);
    await Promise.all(prepared.filter((message) => message.payload).map((message) => this.limit(() => this.storePayload(message))));
    return prepared.map((message) => outboxRecordOf(message, entries[message.index]!.aggregateKey, writtenAt, message.index));
  }

  /** Every entry validated and serialized, or BatchValidationError; events or commands only when `kind` says. */
  private prepareAll(kind: MessageKind | undefined, entries: ReadonlyArray<{ type: string; data: unknown; options?: SendOptions }>): Prepared[] {
    const prepared: Prepared[] = [];
    const invalid: Array<{ index: number; error: MessageError }> = [];
    entries.forEach((entry, index) => {
      try {
        const message = this.prepare(index, kind ?? this.catalog.get(entry.type)?.kind ?? 'event', entry.type, entry.data, entry.options ?? {});
        if (message.scheduledAt) throw new InvalidDelayError(entry.type, entry.options?.delaySeconds ?? Math.ceil((message.scheduledAt.getTime() - Date.now()) / 1000), 'a batch or an outbox write schedules nothing; schedule it alone with publish or send');
        prepared.push(message);
      } catch (error) {
        if (!(error instanceof MessageError)) throw error;
        invalid.push({ index, error });
      }
    });
    invalid.push(...duplicatesIn(prepared));
    if (invalid.length > 0) throw new BatchValidationError(invalid.sort((a, b) => a.index - b.index));
    return prepared;
  }

  private async deliverMany(kind: MessageKind, entries: ReadonlyArray<{ type: string; data: unknown; options?: SendOptions }>): Promise<PublishReport> {
    const prepared = this.prepareAll(kind, entries);

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

  private prepare(index: number, kind: MessageKind, type: string, data: unknown, options: SendOptions): Prepared {
    const entry = this.catalog.get(type);
    // Refused before it had an id: the errors quote the caller's id, or say it had none, never a made-up one.
    if (entry === undefined || entry.kind !== kind) {
      throw new UnknownMessageTypeError(options.id, type, entry ? `is ${entry.kind === 'event' ? 'an event' : 'a command'}, not ${kind === 'event' ? 'an event' : 'a command'}` : 'is not declared in the topology');
    }
    if (kind === 'event' && !this.options.standInForPublishers && topicOfEvent(this.topology, type) === undefined) {
      const external = this.topology.externalTopics.find((topic) => topic.events.includes(type));
      throw new UnknownMessageTypeError(options.id, type, `is carried by another service's topic (external topic '${external?.id}'), which only ${external?.service ? `service '${external.service}'` : 'its own service'} publishes to`);
    }
    const result = safeParse(entry.schema, data);
    if (!result.success) {
      throw new SchemaValidationError(options.id, type, result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(data)'}: ${issue.message}`));
    }
    const id = options.id ?? crypto.randomUUID();
    const destination = this.destinationOf(kind, type);
    const problems = optionProblems(destination, id, options);
    if (problems.length > 0) throw new InvalidPublishOptionsError(id, type, problems);
    const timing = deliveryTiming({ messageType: type, kind, fifo: destination.fifo, delaySeconds: options.delaySeconds, at: options.at }, Date.now());
    // What is sent carries SQS's delay only when SQS applies it; a schedule holds the message itself.
    const { at: _, delaySeconds: __, ...sendNow } = options;
    const sendOptions: SendOptions = timing.kind === 'sqs-delay' ? { ...sendNow, delaySeconds: timing.seconds } : sendNow;
    const dataSchema = dataSchemaUriOf(this.topology, type);
    const envelope = createEnvelope({
      id,
      type,
      kind,
      data: result.data,
      source: this.options.source,
      version: entry.version,
      ...(dataSchema !== undefined && { dataSchema }),
      ...(options.correlationId !== undefined && { correlationId: options.correlationId }),
      ...(options.causationId !== undefined && { causationId: options.causationId }),
      ...(options.replyTo !== undefined && { replyTo: options.replyTo }),
    });
    const encoded = encodeMessage(envelope, traceAttributes(this.traceContextOf(destination, envelope.id, type, options.traceContext)));
    const prepared = { index, envelope, encoded, destination, options: sendOptions, ...(timing.kind === 'scheduled' && { scheduledAt: timing.at }) };
    switch (deliveryForm(encoded.sizeBytes, destination.maxMessageBytes, this.payloadBucket !== undefined)) {
      case 'inline':
        return prepared;
      case 'offload':
        return offloaded(prepared, { bucket: this.payloadBucket!, key: payloadObjectKey(PAYLOAD_KEY_PREFIX, id, crypto.randomUUID()) });
      case 'too-large':
        throw new MessageTooLargeError(id, type, encoded.sizeBytes, destination.maxMessageBytes, `${destination.kind} ${destination.name}`);
    }
  }

  /**
   * The trace context a message carries: a new span in the trace of `parent`, else of the active OpenTelemetry span,
   * else of a new trace. With an SDK registered, that span is a recorded producer span.
   */
  private traceContextOf(destination: Destination, id: string, type: string, parent: TraceContext | undefined): TraceContext {
    const from = parent ?? activeTraceContext();
    const span = startMessageSpan(`create ${destination.name}`, 'producer', from, {
      'messaging.system': destination.kind === 'topic' ? 'aws_sns' : 'aws_sqs',
      'messaging.operation.type': 'create',
      'messaging.destination.name': destination.name,
      'messaging.message.id': id,
      'postbox.message.type': type,
    });
    if (span === undefined) return continueTrace(from);
    span.end();
    return span.traceContext;
  }

  /** Stores an offloaded message's payload, before its pointer is sent; nothing for a message sent whole. */
  private async storePayload(message: Prepared): Promise<void> {
    if (message.payload) await this.payloads.put(message.envelope.id, message.payload.pointer, message.payload.body);
  }

  private destinationOf(kind: MessageKind, type: string): Destination {
    if (kind === 'event') {
      const topic = topicOfEvent(this.topology, type) ?? this.topology.externalTopics.find((external) => external.events.includes(type))!;
      // A topic above 256 KiB: its batches are cut at its own limit, as SNS documents the limit per publish (assumed for
      // PublishBatch too; not verified on AWS).
      const maxMessageBytes = 'maxMessageSizeBytes' in topic ? topic.maxMessageSizeBytes : SNS_MAX_MESSAGE_BYTES;
      return { kind: 'topic', id: topic.id, name: topic.name, fifo: topic.fifo, maxMessageBytes, maxBatchBytes: Math.max(maxMessageBytes, SNS_MAX_MESSAGE_BYTES) };
    }
    const queue = this.topology.queues.find((candidate) => candidate.role === 'command' && candidate.messageTypes.includes(type))!;
    return { kind: 'queue', id: queue.id, name: queue.name, fifo: queue.fifo, maxMessageBytes: queue.maxMessageSizeBytes, maxBatchBytes: SQS_MAX_BATCH_BYTES };
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
