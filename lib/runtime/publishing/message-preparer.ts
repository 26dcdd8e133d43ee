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
import { DEFAULT_MAX_MESSAGE_BYTES, PAYLOAD_KEY_PREFIX } from '../../messages/wire-contract.ts';
import { topicOfEvent, type ResolvedTopology } from '../../topology/resolve-topology.ts';
import { activeTraceContext, startMessageSpan } from '../observability/otel-spans.ts';
import { continueTrace, traceAttributes, type TraceContext } from '../observability/trace-context.ts';
import { deliveryTiming } from './scheduling/schedule-timing.ts';
import { BatchValidationError, InvalidPublishOptionsError } from './publish-errors.ts';
import type { PublisherOptions } from './publisher-options.ts';
import { duplicatesIn, offloaded, optionProblems, type Destination, type Prepared, type SendOptions } from './publish-requests.ts';

/** SNS's limit on a message, and on the sum of a PublishBatch. */
export const SNS_MAX_MESSAGE_BYTES = DEFAULT_MAX_MESSAGE_BYTES;
/** SQS's limit on the sum of a SendMessageBatch. */
export const SQS_MAX_BATCH_BYTES = 1_048_576;

/**
 * Turns a Publisher's calls into Prepared messages, sending nothing: the type checked against the topology, the data
 * against its schema and the options against the destination, then the envelope with its trace context, serialized
 * whole or, past the destination's limit, as a pointer to its payload.
 */
export class MessagePreparer {
  private readonly catalog: MessageCatalog;

  constructor(
    private readonly topology: ResolvedTopology,
    private readonly options: Pick<PublisherOptions, 'source' | 'standInForPublishers'>,
    /** Where a message over its destination's limit is stored; with none, such a message is refused. */
    private readonly payloadBucket: string | undefined,
  ) {
    this.catalog = new MessageCatalog(topology);
  }

  /** Every entry validated and serialized, or BatchValidationError; events or commands only when `kind` says. */
  prepareAll(kind: MessageKind | undefined, entries: ReadonlyArray<{ type: string; data: unknown; options?: SendOptions }>): Prepared[] {
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

  prepare(index: number, kind: MessageKind, type: string, data: unknown, options: SendOptions): Prepared {
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
}
