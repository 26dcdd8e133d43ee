import { describe, expect, it } from 'vitest';
import { groupCopies, type DeadLetter } from '../../lib/operations/dead-letter-browser.ts';
import { MAX_VISIBILITY_SECONDS, renewalSeconds } from '../../lib/operations/queue-listing.ts';

describe('renewing the visibility of listed messages', () => {
  const receivedAt = 1_000_000;
  it('leaves a message alone while more than a third of its visibility is left, and renews it for the full visibility after', () => {
    expect(renewalSeconds({ receivedAt, hiddenUntil: receivedAt + 60_000 }, receivedAt + 30_000, 60)).toBeUndefined();
    expect(renewalSeconds({ receivedAt, hiddenUntil: receivedAt + 60_000 }, receivedAt + 45_000, 60)).toBe(60);
  });

  it('never asks SQS for more than 12 hours from the receive', () => {
    const late = receivedAt + MAX_VISIBILITY_SECONDS * 1000 - 20_000;
    expect(renewalSeconds({ receivedAt, hiddenUntil: late + 5_000 }, late, 60)).toBe(20);
    expect(renewalSeconds({ receivedAt, hiddenUntil: late + 5_000 }, receivedAt + MAX_VISIBILITY_SECONDS * 1000, 60)).toBeUndefined();
  });
});

describe('grouping dead letters by source message', () => {
  const letter = (messageId: string, sourceMessageId: string): DeadLetter => ({
    messageId,
    sourceMessageId,
    copyKey: sourceMessageId,
    type: 't',
    publishedAt: undefined,
    failedAt: undefined,
    attempts: undefined,
    errorCode: undefined,
    errorMessage: undefined,
    handler: undefined,
    groupId: undefined,
    excerpt: '',
  });

  it('lists one entry per source message, in listing order, with its copies', () => {
    const entries = groupCopies([letter('m1', 's1'), letter('m2', 's2'), letter('m3', 's1')]);
    expect(entries.map((entry) => [entry.messageId, entry.copies, entry.copyIds])).toEqual([
      ['m1', 2, ['m1', 'm3']],
      ['m2', 1, ['m2']],
    ]);
  });
});
