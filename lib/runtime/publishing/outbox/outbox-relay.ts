import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { BatchSender } from '../batch-sender.ts';
import { DestinationAddresses, type Routes } from '../destination-addresses.ts';
import { chunk } from '../publish-requests.ts';
import { KeyOrder } from './key-order.ts';
import { deadLettered, sendableOf, type OutboxRecord } from './outbox-record.ts';
import type { SendDeadLetter } from './outbox-store.ts';

export interface OutboxRelayOptions {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** Where sent records are forgotten and failed ones kept: the outbox's store. */
  readonly store: SendDeadLetter;
  /** As the Publisher's. @default made from the physical names, the account and the region */
  readonly routes?: Routes;
  readonly account?: string;
  readonly region?: string;
  /** Tries per record that SNS/SQS failed on their side, before it is dead-lettered. @default 5 */
  readonly maxAttempts?: number;
  /** First retry delay in ms, doubling, with full jitter. @default 200 */
  readonly retryBaseMs?: number;
  /** Batch calls in flight at once. @default 8 */
  readonly concurrency?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface RelayReport {
  readonly sent: readonly OutboxRecord[];
  /** Records that could not be sent: kept in the send dead-letter with their reason. */
  readonly deadLettered: readonly OutboxRecord[];
  /**
   * Records whose outcome could not be recorded, or that were not reached (the relay was stopped, or an earlier
   * record of their aggregate key failed): still pending, to be relayed again. Any of them may have been sent.
   */
  readonly unsettled: readonly OutboxRecord[];
  /** Why the store refused to record outcomes, if it did. */
  readonly problems: readonly string[];
}

/**
 * Sends outbox records: the one core behind the stream Lambda, the polling relay and `postbox outbox replay`.
 * Records of one aggregate key go one after another, in the order given; records of different keys are batched
 * together by destination. A send that fails after its retries (the topic is gone, the message refused, SNS/SQS
 * failing for all its attempts) is dead-lettered with its reason; a record is marked sent only after SNS/SQS took it,
 * so a relay stopped in between sends it again (at least once, never lost).
 */
export class OutboxRelay {
  private readonly sender: BatchSender;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly now: () => Date;

  constructor(private readonly options: OutboxRelayOptions) {
    const addresses = new DestinationAddresses(options.sns, options.sqs, {
      ...(options.routes && { routes: options.routes }),
      ...(options.account && { account: options.account }),
      ...(options.region && { region: options.region }),
    });
    this.sender = new BatchSender(options.sns, options.sqs, addresses, { maxAttempts: options.maxAttempts ?? 5, retryBaseMs: options.retryBaseMs ?? 200 });
    this.limit = pLimit(options.concurrency ?? 8);
    this.now = options.now ?? (() => new Date());
  }

  /** Sends the records; stops handing out new ones once `signal` is aborted. */
  async relay(records: readonly OutboxRecord[], signal?: AbortSignal): Promise<RelayReport> {
    const order = new KeyOrder(records, (record) => record.aggregateKey);
    const sent: OutboxRecord[] = [];
    const failed: OutboxRecord[] = [];
    const problems: string[] = [];
    for (let round = order.next(); round.length > 0 && !signal?.aborted; round = order.next()) {
      const outcome = await this.sendRound(round);
      if (await this.settle(outcome.sent, () => this.options.store.markSent(outcome.sent), order, problems)) sent.push(...outcome.sent);
      const kept = outcome.failed.map(({ record, reason, attempts }) => deadLettered(record, reason, attempts, this.now()));
      const originals = outcome.failed.map(({ record }) => record);
      if (await this.settle(originals, () => this.options.store.deadLetter(kept), order, problems)) failed.push(...kept);
    }
    return { sent, deadLettered: failed, unsettled: order.unsettled(), problems };
  }

  private async sendRound(round: OutboxRecord[]): Promise<{ sent: OutboxRecord[]; failed: Array<{ record: OutboxRecord; reason: string; attempts: number }> }> {
    const sent: OutboxRecord[] = [];
    const failed: Array<{ record: OutboxRecord; reason: string; attempts: number }> = [];
    await Promise.all(
      chunk(round.map(sendableOf)).map((batch) =>
        this.limit(async () => {
          for (const result of (await this.sender.send(batch)).results) {
            const record = round[result.index]!;
            if (result.status === 'sent') sent.push(record);
            else failed.push({ record, reason: result.error!.reason, attempts: result.attempts });
          }
        }),
      ),
    );
    return { sent, failed };
  }

  /** Records the outcome of `records`; if the store refuses, they stay pending and block their keys. */
  private async settle(records: OutboxRecord[], write: () => Promise<void>, order: KeyOrder<OutboxRecord>, problems: string[]): Promise<boolean> {
    if (records.length === 0) return false;
    try {
      await write();
      return true;
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      for (const record of records) order.fail(record);
      return false;
    }
  }
}
