import type { Envelope } from '../../messages/envelope.ts';
import { describeError, errorCode, MessageError } from '../../messages/message-errors.ts';
import { errorReply, okReply, validReplyData } from '../../messages/reply-message.ts';
import type { MessageSchema } from '../../topology/topology-schema.ts';
import { QueueDoesNotExistError } from '../../aws/aws-errors.ts';

/** Sends a reply body to a requester's reply queue (QueueActions.sendReply). */
export interface ReplySender {
  sendReply(queueUrl: string, body: string): Promise<void>;
}

/** A handler's reply that does not match its command's reply schema: a bug retrying cannot fix. */
export class ReplyInvalidError extends MessageError {
  readonly code = 'REPLY_INVALID';
  readonly retryable = false;

  constructor(
    readonly messageId: string,
    readonly messageType: string,
    readonly problems: readonly string[],
  ) {
    super(`The reply to message ${messageId} of type '${messageType}' does not match the command's reply schema: ${problems.join('; ')}. Nothing was replied; fix the handler's return value or its context.reply.`);
  }
}

/**
 * The reply of one request a handler is running: given once, by the handler's `context.reply(data)` (a long task
 * that replies before it ends) or, if it did not, with what the handler returned. A message that asked for none (no
 * `replyto`, or a command without a reply schema) replies nothing: fire-and-forget stays the default.
 */
export class RequestReply {
  private replied = false;

  constructor(
    private readonly sender: ReplySender,
    private readonly envelope: Envelope & { readonly replyto: string },
    private readonly schema: MessageSchema,
  ) {}

  /** The reply of a request, when the message asks for one and its command declares what it replies. */
  static of(sender: ReplySender, envelope: Envelope, schema: MessageSchema | undefined): RequestReply | undefined {
    return envelope.replyto !== undefined && schema !== undefined ? new RequestReply(sender, envelope as Envelope & { replyto: string }, schema) : undefined;
  }

  /**
   * Validates `data` by the reply schema and sends it; a second reply is ignored (the requester took the first), and
   * so is a reply to a requester that has stopped (its reply queue is gone).
   */
  async reply(data: unknown): Promise<void> {
    if (this.replied) return;
    const valid = validReplyData(this.schema, data);
    if (!valid.ok) throw new ReplyInvalidError(this.envelope.id, this.envelope.type, valid.problems);
    try {
      await this.sender.sendReply(this.envelope.replyto, okReply(this.envelope.id, this.envelope.type, valid.data));
    } catch (error) {
      // The requester stopped and deleted its reply queue: nobody waits for this reply, and the command did its work.
      // Failing here would run the command again (a retry) for a reply that can never be taken.
      if (!(error instanceof QueueDoesNotExistError)) throw error;
    }
    this.replied = true;
  }

  /**
   * Runs the handler, then replies with what it returned unless it replied itself; resolves to what it returned (an
   * idempotent queue stores it, and replies with it again to the same request asked again). A failed send fails the
   * handling (it is retried).
   */
  async around(run: () => unknown): Promise<unknown> {
    const value = await run();
    if (!this.replied) await this.reply(value);
    return value;
  }
}

/**
 * Tells the requester that its request was dead-lettered, so that it fails at once with the reason rather than
 * time out. Best effort: the message is in the dead-letter queue either way.
 */
export async function replyDeadLettered(sender: ReplySender, envelope: Envelope | undefined, hasReply: boolean, error: unknown): Promise<void> {
  if (envelope?.replyto === undefined || !hasReply) return;
  await sender.sendReply(envelope.replyto, errorReply(envelope.id, envelope.type, { code: errorCode(error), message: describeError(error) }));
}
