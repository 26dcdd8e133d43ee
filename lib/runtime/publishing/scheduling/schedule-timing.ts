import { createHash } from 'node:crypto';
import { InvalidDelayError } from '../../../messages/message-errors.ts';

/** SQS's limit on a message's delay: 15 minutes. */
export const SQS_MAX_DELAY_SECONDS = 900;
/**
 * How far ahead Postbox schedules: a year. EventBridge Scheduler sets no limit on a one-time schedule; a message
 * meant for later than this is state of the business, which belongs in its store (with a schedule of its own).
 */
export const MAX_SCHEDULE_AHEAD_SECONDS = 365 * 24 * 3600;

/** When a message goes: now, after SQS's own delay, or at a time EventBridge Scheduler fires. */
export type DeliveryTiming = { readonly kind: 'now' } | { readonly kind: 'sqs-delay'; readonly seconds: number } | { readonly kind: 'scheduled'; readonly at: Date };

export interface TimingRequest {
  readonly messageType: string;
  readonly kind: 'event' | 'command';
  /** The destination is a FIFO topic or queue. */
  readonly fifo: boolean;
  readonly delaySeconds?: number | undefined;
  readonly at?: Date | undefined;
}

/**
 * How a message with `delaySeconds` or `at` is delivered: a command due within 15 minutes by SQS's own delay; an
 * event (SNS has no delay), or a command due later, by a one-time schedule. Refused with InvalidDelayError: both
 * given, a delay that is not a whole number of seconds, a time in the past or more than a year ahead, and any delay
 * to a FIFO destination (a schedule would take the message out of its group's order).
 */
export function deliveryTiming(request: TimingRequest, now: number): DeliveryTiming {
  const { messageType, delaySeconds, at } = request;
  if (delaySeconds === undefined && at === undefined) return { kind: 'now' };
  if (delaySeconds !== undefined && at !== undefined) throw new InvalidDelayError(messageType, delaySeconds, 'give either delaySeconds or at, not both');
  if (delaySeconds !== undefined && (!Number.isInteger(delaySeconds) || delaySeconds < 0)) {
    throw new InvalidDelayError(messageType, delaySeconds, 'a delay is a whole number of seconds, 0 or more');
  }
  if (at !== undefined && !(at instanceof Date && Number.isFinite(at.getTime()))) throw new InvalidDelayError(messageType, Number.NaN, '`at` is not a valid Date');
  const seconds = delaySeconds ?? Math.ceil((at!.getTime() - now) / 1000);
  if (seconds < 0) throw new InvalidDelayError(messageType, seconds, `${at!.toISOString()} is in the past`);
  if (seconds === 0) return { kind: 'now' };
  if (request.fifo) throw new InvalidDelayError(messageType, seconds, 'its destination is FIFO, whose messages keep their group\'s order and cannot wait apart');
  if (seconds > MAX_SCHEDULE_AHEAD_SECONDS) {
    throw new InvalidDelayError(messageType, seconds, `Postbox schedules at most a year (${MAX_SCHEDULE_AHEAD_SECONDS} s) ahead; keep a later date in your own store`);
  }
  if (request.kind === 'command' && seconds <= SQS_MAX_DELAY_SECONDS) return { kind: 'sqs-delay', seconds };
  return { kind: 'scheduled', at: at ?? new Date(now + seconds * 1000) };
}

/** EventBridge Scheduler's names: 1 to 64 of letters, digits, `-`, `_` and `.`. */
const SCHEDULE_NAME = /^[0-9A-Za-z_.-]{1,55}$/;

/**
 * The schedule's name of a message, from its id, so that it is cancelled by that id: `postbox-<id>`, or for an id
 * that is no valid name, `postbox-` and a hash of it.
 */
export function scheduleNameOf(messageId: string): string {
  return SCHEDULE_NAME.test(messageId) ? `postbox-${messageId}` : `postbox-${createHash('sha256').update(messageId).digest('hex').slice(0, 48)}`;
}
