import { randomUUID } from 'node:crypto';

export type MessageKind = 'event' | 'command';

/**
 * A message as Postbox sends it: a CloudEvents 1.0 structured-mode JSON event
 * with the extensions `kind`, `correlationid`, `causationid` and `dataversion`,
 * and the standard `dataschema` naming the JSON Schema of its data.
 */
export interface Envelope<Data = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  /**
   * URI of the JSON Schema the data adheres to, its `$id` (`postbox docs --json-schema`), such as
   * `urn:postbox:orders:order.placed:1`: how a consumer in another stack finds the contract. Absent on a
   * message received without one.
   */
  readonly dataschema?: string;
  readonly data: Data;
  readonly kind: MessageKind;
  /** Id shared by every message of one business flow. */
  readonly correlationid: string;
  /** Id of the message that caused this one, if any. */
  readonly causationid?: string;
  /** Version of the data's schema. */
  readonly dataversion: number;
  /**
   * The queue URL a command's reply goes to, when a Requester sent it (a CloudEvents extension in the body: it stays
   * with the message through retries, dead-lettering and redrive, and takes none of the 10 message attributes).
   */
  readonly replyto?: string;
}

export interface EnvelopeInput<Data> {
  readonly type: string;
  readonly kind: MessageKind;
  readonly data: Data;
  /** Who produced it, as a URI reference (`orders-service`, `urn:orders:checkout`). */
  readonly source: string;
  /** @default 1 */
  readonly version?: number;
  /** URI of the data's JSON Schema (`dataSchemaUri`). @default none */
  readonly dataSchema?: string;
  /** @default a new UUID */
  readonly id?: string;
  /** @default now */
  readonly time?: Date;
  /** @default the message's own id: it starts a flow */
  readonly correlationId?: string;
  /** @default none */
  readonly causationId?: string;
  /** The queue URL of the reply (`Requester`). @default none: no reply is asked for */
  readonly replyTo?: string;
}

export function createEnvelope<Data>(input: EnvelopeInput<Data>): Envelope<Data> {
  const id = input.id ?? randomUUID();
  return {
    specversion: '1.0',
    id,
    source: input.source,
    type: input.type,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    ...(input.dataSchema !== undefined && { dataschema: input.dataSchema }),
    data: input.data,
    kind: input.kind,
    correlationid: input.correlationId ?? id,
    ...(input.causationId !== undefined && { causationid: input.causationId }),
    dataversion: input.version ?? 1,
    ...(input.replyTo !== undefined && { replyto: input.replyTo }),
  };
}

/**
 * Publish options that make a message the child of `parent`: same flow
 * (correlation id), caused by the parent. For a job that enqueues a child task:
 * `publisher.send('report.render', data, { ...childOf(message), delaySeconds: 60 })`.
 */
export function childOf(parent: Pick<Envelope, 'id' | 'correlationid'>): { readonly correlationId: string; readonly causationId: string } {
  return { correlationId: parent.correlationid, causationId: parent.id };
}
