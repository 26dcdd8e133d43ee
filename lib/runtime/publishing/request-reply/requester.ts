import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClients } from '../../../aws/aws-clients.ts';
import { callAws } from '../../../aws/call-aws.ts';
import { MessageCatalog } from '../../../messages/message-catalog.ts';
import type { AnyTopology, MessageInput, ReplyData, RequestType } from '../../../messages/message-types.ts';
import { decodeReply, validReplyData } from '../../../messages/reply-message.ts';
import { createLogger, type Logger } from '../../observability/logger.ts';
import { Publisher } from '../publisher.ts';
import type { PublisherOptions } from '../publisher-options.ts';
import type { SendOptions } from '../publish-requests.ts';
import { RequesterNotRunningError, RequestFailedError, RequestTimeoutError } from './request-errors.ts';

export interface RequesterOptions extends Pick<PublisherOptions, 'stage' | 'source' | 'region' | 'account' | 'routes' | 'sns' | 'payloadBucket' | 's3'> {
  /** @default a client for AWS_ENDPOINT_URL and the region */
  readonly sqs?: SQSClient;
  /** Names this instance's reply queue, `<app>-<stage>-replies-<instance>`. @default 8 random hex digits */
  readonly instance?: string;
  /** The reply queue's long poll. @default 20 */
  readonly waitTimeSeconds?: number;
  /** @default JSON lines to stdout */
  readonly logger?: Logger;
}

export interface RequestOptions extends Omit<SendOptions, 'at' | 'delaySeconds'> {
  /** How long to wait for the reply. @default 30 */
  readonly timeoutSeconds?: number;
}

interface Pending {
  readonly type: string;
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** SQS keeps a reply at most this long: a requester reads its replies within seconds, or has stopped. */
const REPLY_RETENTION_SECONDS = 300;

/**
 * Sends commands and awaits their replies, typed by the topology (a command that declares `reply`). Each requester
 * instance has a reply queue of its own, `<app>-<stage>-replies-<instance>`, made by `start()` and deleted by
 * `stop()`: a reply reaches the one instance that waits for it, with no filtering and no instance receiving (and
 * putting back) another's replies, as a shared queue would make them (docs/request-reply.md).
 *
 * @example
 * const requester = new Requester(shopTopology, { source: 'web' });
 * await requester.start();
 * const report = await requester.request('report.generate', { month: '2026-11' }, { timeoutSeconds: 60 });
 * await requester.stop();
 */
export class Requester<T extends AnyTopology> {
  private readonly publisher: Publisher<T>;
  private readonly catalog: MessageCatalog;
  private readonly sqs: SQSClient;
  private readonly logger: Logger;
  private readonly pending = new Map<string, Pending>();
  private replyQueueUrl: string | undefined;
  private polling: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private late = 0;
  readonly replyQueueName: string;

  constructor(
    declaration: T,
    private readonly options: RequesterOptions,
  ) {
    const clients = options.sqs && options.sns ? undefined : createAwsClients({ ...(options.region && { region: options.region }) });
    this.sqs = options.sqs ?? clients!.sqs;
    this.publisher = new Publisher(declaration, { ...options, sqs: this.sqs, sns: options.sns ?? clients!.sns });
    this.catalog = new MessageCatalog(this.publisher.topology);
    this.replyQueueName = `${this.publisher.topology.prefix}-replies-${options.instance ?? randomUUID().slice(0, 8)}`;
    this.logger = options.logger ?? createLogger({ app: this.publisher.topology.app, stage: this.publisher.topology.stage });
  }

  /** Replies that came after their request had timed out (or for no request of this instance), dropped. */
  get lateReplies(): number {
    return this.late;
  }

  /** Makes the reply queue and starts reading it. */
  async start(): Promise<void> {
    if (this.loop) return;
    const { QueueUrl } = await callAws(
      () => this.sqs.send(new CreateQueueCommand({ QueueName: this.replyQueueName, Attributes: { MessageRetentionPeriod: String(REPLY_RETENTION_SECONDS), SqsManagedSseEnabled: 'true' } })),
      { queue: this.replyQueueName },
    );
    this.replyQueueUrl = QueueUrl!;
    this.polling = new AbortController();
    this.loop = this.readReplies(QueueUrl!, this.polling.signal);
  }

  /**
   * Sends the command with this requester's reply queue and resolves with its handler's reply, validated by the
   * command's reply schema. Rejects with RequestTimeoutError after `timeoutSeconds`, with RequestFailedError when the
   * handler dead-lettered the command, or with the Publisher's error when it could not be sent.
   */
  async request<K extends RequestType<T>>(type: K, data: MessageInput<T, K>, options: RequestOptions = {}): Promise<ReplyData<T, K>> {
    const replyTo = this.replyQueueUrl;
    if (replyTo === undefined || !this.loop) throw new RequesterNotRunningError(`request '${type}'`);
    const { timeoutSeconds = 30, ...sendOptions } = options;
    const id = sendOptions.id ?? randomUUID();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestTimeoutError(id, type, timeoutSeconds));
      }, timeoutSeconds * 1000);
      this.pending.set(id, { type, resolve, reject, timer });
    });
    try {
      await this.publisher.send(type as never, data as never, { ...sendOptions, id, replyTo });
    } catch (error) {
      const waiting = this.pending.get(id);
      if (waiting) clearTimeout(waiting.timer);
      this.pending.delete(id);
      throw error;
    }
    return reply as Promise<ReplyData<T, K>>;
  }

  /** Stops reading, fails the requests still waiting, and deletes the reply queue. */
  async stop(): Promise<void> {
    this.polling?.abort();
    await this.loop;
    this.loop = undefined;
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new RequesterNotRunningError(`it stopped before request ${id} ('${waiting.type}') got its reply`));
    }
    this.pending.clear();
    if (this.replyQueueUrl) {
      const url = this.replyQueueUrl;
      this.replyQueueUrl = undefined;
      await callAws(() => this.sqs.send(new DeleteQueueCommand({ QueueUrl: url })), { queue: this.replyQueueName });
    }
  }

  private async readReplies(queueUrl: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const { Messages = [] } = await this.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: this.options.waitTimeSeconds ?? 20 }),
          { abortSignal: signal },
        );
        for (const message of Messages) this.settle(message.Body ?? '');
        if (Messages.length > 0) {
          await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })) }));
        }
      } catch (error) {
        if (signal.aborted) return;
        this.logger.warn('could not read the reply queue; trying again in a second', { queue: this.replyQueueName, error });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /** Resolves or fails the request a reply answers; a reply nobody waits for is dropped and counted. */
  private settle(body: string): void {
    const reply = decodeReply(body);
    const waiting = reply && this.pending.get(reply.inreplyto);
    if (!reply || !waiting) {
      this.late += 1;
      this.logger.info('dropped a reply that no request of this requester waits for (it timed out, or is not one)', { queue: this.replyQueueName, inReplyTo: reply?.inreplyto });
      return;
    }
    clearTimeout(waiting.timer);
    this.pending.delete(reply.inreplyto);
    if (reply.status === 'error') {
      waiting.reject(new RequestFailedError(reply.inreplyto, reply.type, reply.error.code, reply.error.message));
      return;
    }
    const schema = this.catalog.get(reply.type)?.reply;
    const valid = schema ? validReplyData(schema, reply.data) : { ok: true as const, data: reply.data };
    if (valid.ok) waiting.resolve(valid.data);
    else waiting.reject(new RequestFailedError(reply.inreplyto, reply.type, 'REPLY_INVALID', `its reply does not match the reply schema: ${valid.problems.join('; ')}`));
  }
}
