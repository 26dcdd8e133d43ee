import { describe, expect, it } from 'vitest';
import {
  InvalidDelayError,
  MessageTooLargeError,
  RetriesExhaustedError,
  UnrecoverableError,
  errorCode,
  isRetryable,
} from '../../lib/messages/message-errors.ts';
import { backoffDelaySeconds } from '../../lib/retry/backoff.ts';
import { decideOnFailure } from '../../lib/runtime/consuming/failure-policy.ts';

const backoff = { baseSeconds: 5, capSeconds: 60 };

describe('backoffDelaySeconds', () => {
  it('doubles from the base with each attempt, jittered between half and all of the step', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelaySeconds(attempt, backoff, () => 0))).toEqual([3, 5, 10, 20]);
    expect([1, 2, 3, 4].map((attempt) => backoffDelaySeconds(attempt, backoff, () => 1))).toEqual([5, 10, 20, 40]);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelaySeconds(30, backoff, () => 1)).toBe(60);
    expect(backoffDelaySeconds(30, backoff, () => 0)).toBe(30);
  });
});

describe('decideOnFailure', () => {
  const settings = { maxReceiveCount: 3, backoff };

  it('retries an ordinary error after the backoff of its attempt', () => {
    const error = new Error('timeout');
    expect(decideOnFailure(error, 'm', 2, settings, () => 0)).toEqual({ action: 'retry', delaySeconds: 5, error });
  });

  it('dead-letters at once what retrying cannot fix', () => {
    const error = new UnrecoverableError('order is closed', { code: 'ORDER_CLOSED' });
    expect(decideOnFailure(error, 'm', 1, settings)).toEqual({ action: 'dead-letter', error });
    expect(error.code).toBe('ORDER_CLOSED');
    expect(new UnrecoverableError('x').code).toBe('UNRECOVERABLE');
  });

  it('dead-letters on the last allowed attempt, saying how many attempts failed', () => {
    const decision = decideOnFailure(new Error('still down'), 'm-9', 3, settings);
    expect(decision.action).toBe('dead-letter');
    expect(decision.error).toBeInstanceOf(RetriesExhaustedError);
    expect((decision.error as Error).message).toBe('Message m-9 failed 3 times; last error: still down');
  });
});

describe('message errors', () => {
  it('name the message, the size and the limit when too large', () => {
    expect(new MessageTooLargeError('e-1', 'report.build', 3000, 2048, 'queue pay-dev-report-build').message).toBe(
      "Message e-1 of type 'report.build' is 3000 bytes, over the 2048-byte limit of queue pay-dev-report-build; " +
        'give the publisher a payload bucket (its payloadBucket option, or POSTBOX_PAYLOAD_BUCKET, which MessagingStack sets) to send it as a pointer to the payload stored there.',
    );
  });

  it('say why a delay cannot be applied', () => {
    expect(new InvalidDelayError('report.build', 901, 'too long').message).toBe("Cannot delay 'report.build' by 901 s: too long.");
  });

  it('give stable codes, and treat errors of handlers as retryable', () => {
    expect(errorCode(new Error('x'))).toBe('HANDLER_ERROR');
    expect(errorCode(new InvalidDelayError('t', 1, 'r'))).toBe('INVALID_DELAY');
    expect(isRetryable(new Error('x'))).toBe(true);
    expect(isRetryable(new UnrecoverableError('x'))).toBe(false);
  });
});
