import type { SQSClient } from '@aws-sdk/client-sqs';
import { PostboxError } from '../postbox-error.ts';
import type { DeadLetterFilter } from './dead-letter-browser.ts';
import { deleteDuplicateCopies, MoveTaskUnsupportedError, redriveClientSide, redriveWithMoveTask, type Progress, type RedriveSummary } from './dead-letter-redrive.ts';
import type { QueueAddress } from './queue-directory.ts';

/** What a redrive is asked to move, and how. */
export interface RedriveRequest {
  /** Which dead letters; empty: all of them. */
  readonly filter: DeadLetterFilter;
  /** Most messages one run looks at. */
  readonly max: number;
  /** The caller chose `max` (a bounded run, which a move task cannot be): the run moves one by one. @default false */
  readonly bounded?: boolean;
  /** Say what would move; move nothing. @default false */
  readonly dryRun?: boolean;
  /** Most messages per second of a move task. @default SQS's own rate */
  readonly rate?: number;
  /** Move one by one even where the server has move tasks. @default false */
  readonly clientSide?: boolean;
  readonly onProgress?: Progress;
  /** Aborting cancels a move task; what it moved stays moved. */
  readonly signal?: AbortSignal;
  /** Told why the run moves one by one after all (the server has no move tasks). */
  readonly onFallback?: (reason: string) => void;
}

/** What a redrive did, and whether a whole-queue run left messages it was asked to move. */
export interface RedriveResult extends RedriveSummary {
  /** A whole redrive that ends with messages still there that it did not move (FIFO groups, messages in flight). */
  readonly incomplete: boolean;
}

/** A redrive asked for something it cannot do: a rate for a FIFO DLQ, which is moved one by one. */
export class InvalidRedriveRequestError extends PostboxError {
  readonly code = 'INVALID_REDRIVE_REQUEST';
}

/**
 * The one redrive strategy, for the CLI, the console and `postbox dev`: a whole standard DLQ moves with SQS's move
 * task, after deleting the extra copies of messages it holds twice (a move task moves every copy); a server without
 * move tasks, a FIFO DLQ, a selection, a bound or a dry run moves one by one (`redriveClientSide`).
 */
export async function redriveDeadLetters(sqs: SQSClient, address: QueueAddress, request: RedriveRequest): Promise<RedriveResult> {
  if (request.rate !== undefined && address.queue.fifo === true) {
    throw new InvalidRedriveRequestError(`--rate applies to move tasks, and ${address.queue.deadLetterQueueName} is FIFO, which is moved one by one; drop --rate`);
  }
  const oneByOne = (options: { dryRun?: boolean } = {}) =>
    redriveClientSide(sqs, address, request.filter, { max: request.max, ...(request.onProgress && { onProgress: request.onProgress }), ...options });
  let summary: RedriveSummary;
  if (!triesMoveTask(address, request)) {
    summary = await oneByOne(request.dryRun ? { dryRun: true } : {});
  } else {
    try {
      const copies = await deleteDuplicateCopies(sqs, address, request.max);
      const moved = await redriveWithMoveTask(sqs, address, {
        ...(request.rate !== undefined && { rate: request.rate }),
        ...(request.onProgress && { onProgress: request.onProgress }),
        ...(request.signal && { signal: request.signal }),
      });
      summary = { ...moved, duplicates: copies.duplicates, failed: moved.failed + copies.failures.length, failures: [...copies.failures, ...moved.failures] };
    } catch (error) {
      if (!(error instanceof MoveTaskUnsupportedError)) throw error;
      request.onFallback?.(`the server has no StartMessageMoveTask; moving the messages one by one instead${request.rate !== undefined ? ', without the rate' : ''}`);
      summary = await oneByOne();
    }
  }
  const incomplete = !isSelective(request) && !request.dryRun && !summary.maxReached && summary.left > summary.failed + summary.returned;
  return { ...summary, incomplete };
}

/** Whether the run starts with a move task: a whole standard DLQ, moved for real, where one by one was not asked for. */
export function triesMoveTask(address: QueueAddress, request: RedriveRequest): boolean {
  return !isSelective(request) && !request.dryRun && !request.clientSide && address.queue.fifo !== true;
}

/** A selection or a bound: a run that moves only some of the DLQ. */
function isSelective(request: RedriveRequest): boolean {
  return Object.keys(request.filter).length > 0 || request.bounded === true;
}
