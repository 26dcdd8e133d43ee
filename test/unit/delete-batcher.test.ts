import { describe, expect, it } from 'vitest';
import { DeleteBatcher } from '../../lib/runtime/consuming/polling/delete-batcher.ts';
import { DeleteFailedError } from '../../lib/runtime/consuming/polling/polling-errors.ts';

/** Records each DeleteMessageBatch request; SQS's answers are the test's to choose. */
function recordingActions(answer: (handles: readonly string[]) => Array<{ receiptHandle: string; reason: string }> = () => []) {
  const requests: string[][] = [];
  return {
    requests,
    actions: {
      deleteBatch: async (handles: readonly string[]) => {
        requests.push([...handles]);
        return answer(handles);
      },
    },
  };
}

describe('DeleteBatcher', () => {
  it('sends the deletes of one turn of the event loop in requests of at most 10', async () => {
    const { actions, requests } = recordingActions();
    const batcher = new DeleteBatcher(actions, 'app-dev-jobs');
    const handles = Array.from({ length: 12 }, (_, i) => `r-${i}`);
    await Promise.all(handles.map((handle) => batcher.delete(handle)));
    expect(requests).toEqual([handles.slice(0, 10), handles.slice(10)]);
  });

  it('sends a later delete in a request of its own, without waiting for more', async () => {
    const { actions, requests } = recordingActions();
    const batcher = new DeleteBatcher(actions, 'app-dev-jobs');
    await batcher.delete('r-1');
    await batcher.delete('r-2');
    expect(requests).toEqual([['r-1'], ['r-2']]);
  });

  it('rejects only the entries SQS did not delete, naming the queue and the reason', async () => {
    const { actions } = recordingActions((handles) => [{ receiptHandle: handles[1]!, reason: 'ReceiptHandleIsInvalid: expired' }]);
    const batcher = new DeleteBatcher(actions, 'app-dev-jobs');
    const results = await Promise.allSettled(['r-0', 'r-1', 'r-2'].map((handle) => batcher.delete(handle)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const error = (results[1] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(DeleteFailedError);
    expect(error.code).toBe('DELETE_FAILED');
    expect(error.message).toContain('app-dev-jobs');
    expect(error.message).toContain('ReceiptHandleIsInvalid: expired');
  });

  it('rejects every entry of a request that failed as a whole', async () => {
    const batcher = new DeleteBatcher({ deleteBatch: () => Promise.reject(new Error('connect ECONNREFUSED')) }, 'app-dev-jobs');
    const results = await Promise.allSettled(['r-0', 'r-1'].map((handle) => batcher.delete(handle)));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
