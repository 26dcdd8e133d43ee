import { describe, expect, it } from 'vitest';
import { readFailureRecord } from '../../lib/messages/failure-record.ts';
import { FAILURE_ATTRIBUTES } from '../../lib/messages/wire-contract.ts';

describe('readFailureRecord', () => {
  it('reads the record from one attribute per field', () => {
    expect(
      readFailureRecord({
        [FAILURE_ATTRIBUTES.errorCode]: 'SCHEMA_VALIDATION_FAILED',
        [FAILURE_ATTRIBUTES.attempt]: '2',
        [FAILURE_ATTRIBUTES.sourceMessageId]: 'm-1',
        type: 'order.placed',
      }),
    ).toEqual({ errorCode: 'SCHEMA_VALIDATION_FAILED', attempt: 2, sourceMessageId: 'm-1' });
  });

  it('reads the record from its JSON attribute when the fields did not fit', () => {
    const record = { errorCode: 'X', errorMessage: 'boom', handler: 'q/t', attempt: 3, failedAt: '2026-01-01T00:00:00.000Z', sourceMessageId: 'm-2' };
    expect(readFailureRecord({ [FAILURE_ATTRIBUTES.record]: JSON.stringify(record) })).toEqual(record);
  });

  it('says nothing of a failure a message does not record, and ignores a malformed JSON record', () => {
    expect(readFailureRecord({ type: 'order.placed' })).toEqual({});
    expect(readFailureRecord({ [FAILURE_ATTRIBUTES.record]: '{not json', [FAILURE_ATTRIBUTES.attempt]: 'zero' })).toEqual({});
  });
});
