import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEPLOYED_ENVIRONMENT } from '../../../messages/wire-contract.ts';
import { createAwsClients } from '../../../aws/aws-clients.ts';
import { createLogger, type Logger } from '../../observability/logger.ts';
import { DynamoDbOutboxStore } from './dynamodb-outbox-store.ts';
import { OutboxConfigurationError } from './outbox-errors.ts';
import { writeOutboxMetrics } from './outbox-metrics.ts';
import { recordOf } from './outbox-item.ts';
import type { OutboxRecord } from './outbox-record.ts';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.ts';
import type { OutboxStore, SendDeadLetter } from './outbox-store.ts';

export interface OutboxStreamHandlerOptions extends Partial<Omit<OutboxRelayOptions, 'store'>> {
  /** The outbox the stream is of. @default a DynamoDbOutboxStore of `tableName` */
  readonly store?: SendDeadLetter & Partial<Pick<OutboxStore, 'stillPending'>>;
  /** @default POSTBOX_OUTBOX_TABLE */
  readonly tableName?: string;
  /** Time kept back from the invocation's end: no record is handed out after it. @default 10000 */
  readonly reserveMs?: number;
  /** @default a JSON logger to stdout */
  readonly logger?: Logger;
  /** Where the EMF metric line goes. @default stdout */
  readonly writeMetrics?: (line: string) => void;
}

/**
 * The Lambda handler of the outbox table's DynamoDB stream: relays the records that are pending (inserted, or set
 * back to pending), in stream order per aggregate key, and reports as batch item failures those it could not settle and
 * every later record of their keys, so that Lambda gives them again, in order. Records that could not be sent are
 * in the send dead-letter, not failures.
 */
export function createOutboxStreamHandler(options: OutboxStreamHandlerOptions = {}): (event: DynamoDBStreamEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<DynamoDBBatchResponse> {
  const tableName = options.tableName ?? process.env[DEPLOYED_ENVIRONMENT.outboxTable];
  if (!tableName) throw new OutboxConfigurationError(`The outbox relay needs its table: set ${DEPLOYED_ENVIRONMENT.outboxTable} (the OutboxTable construct does), or pass tableName.`);
  const clients = options.sns && options.sqs ? undefined : createAwsClients();
  const store = options.store ?? new DynamoDbOutboxStore({ tableName });
  const relay = new OutboxRelay({ ...options, sns: options.sns ?? clients!.sns, sqs: options.sqs ?? clients!.sqs, store });
  const logger = options.logger ?? createLogger({ outbox: tableName });
  return async (event, context) => {
    const records: OutboxRecord[] = [];
    const sequenceOf = new Map<OutboxRecord, string>();
    const failures: string[] = [];
    for (const streamRecord of event.Records) {
      const record = pendingRecordOf(streamRecord);
      const sequence = streamRecord.dynamodb?.SequenceNumber;
      if (record === 'skip' || sequence === undefined) continue;
      if (record === undefined) {
        logger.error('stream record is no outbox record; reported failed', { sequence });
        failures.push(sequence);
        continue;
      }
      records.push(record);
      sequenceOf.set(record, sequence);
    }
    // A batch handed again after a partial failure holds records an earlier attempt sent (and deleted): skip them.
    let relayable = records;
    if (store.stillPending && records.length > 0) {
      try {
        relayable = await store.stillPending(records);
      } catch (error) {
        logger.error('could not read which records are still pending; the batch is reported failed and retried', { error });
        return { batchItemFailures: [...failures, ...records.map((record) => sequenceOf.get(record)!)].map((itemIdentifier) => ({ itemIdentifier })) };
      }
    }
    const controller = new AbortController();
    const remaining = context?.getRemainingTimeInMillis();
    const timer = remaining === undefined ? undefined : setTimeout(() => controller.abort(), Math.max(0, remaining - (options.reserveMs ?? 10_000)));
    try {
      const report = await relay.relay(relayable, controller.signal);
      for (const record of report.deadLettered) logger.warn('send dead-lettered', { id: record.id, type: record.type, reason: record.reason });
      for (const problem of report.problems) logger.error('outcome not recorded; reported failed', { problem });
      writeOutboxMetrics(tableName, report, options.writeMetrics);
      failures.push(...report.unsettled.map((record) => sequenceOf.get(record)!));
    } finally {
      clearTimeout(timer);
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The pending record of an insert or modify (a record set back to pending); 'skip' for anything else (a removal, a dead letter). */
function pendingRecordOf(streamRecord: DynamoDBRecord): OutboxRecord | 'skip' | undefined {
  if (streamRecord.eventName !== 'INSERT' && streamRecord.eventName !== 'MODIFY') return 'skip';
  const image = streamRecord.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
  if (image?.status?.S !== undefined && image.status.S !== 'pending') return 'skip';
  return recordOf(image);
}
