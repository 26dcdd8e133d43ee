import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { describeDeadLetter, groupCopies, matches, type DeadLetter } from '../../operations/dead-letter-browser.ts';
import { queueCounts, QueueListing } from '../../operations/queue-listing.ts';
import { formatTable } from '../table-format.ts';
import { toFilter, withFilterOptions, type FilterOptions } from './dead-letter-options.ts';

export function registerDlqShow(dlq: Command, context: () => Promise<CliContext>): void {
  withFilterOptions(dlq.command('show <queue>').description('list dead-lettered messages, one per source message; they return to the DLQ at once')).action(
    async (queueName: string, options: FilterOptions) => {
      const ctx = await context();
      const { deadLetterUrl, queue } = await ctx.directory.address(queueName);
      // Counted before listing: what is in flight then is hidden by another reader, not by this listing.
      const { visible, inFlight } = await queueCounts(ctx.sqs, deadLetterUrl);
      const listing = new QueueListing(ctx.sqs, deadLetterUrl, { max: options.max });
      const listed: DeadLetter[] = [];
      try {
        for await (const message of listing.messages()) listed.push(describeDeadLetter(message));
      } finally {
        await listing.close();
      }
      const filter = toFilter(options);
      const all = groupCopies(listed);
      const shown = all.filter((deadLetter) => matches(deadLetter, filter));
      const copies = shown.reduce((sum, entry) => sum + entry.copies, 0);
      const maxReached = listed.length >= options.max;
      // A FIFO queue hands out a group's next message only once the one before it is gone: a listing, which
      // holds what it received, sees the head of each group (fauxqs) or its first ten (moto), not what waits behind.
      const behindGroupHeads = queue.fifo && !maxReached ? Math.max(0, visible - listed.length) : 0;
      const report = { queue: queue.deadLetterQueueName, shown: shown.length, copies, listed: listed.length, inFlight, behindGroupHeads, maxReached, deadLetters: shown };
      ctx.print(report, () => {
        const lines: string[] = [];
        if (shown.length > 0) {
          lines.push(
            formatTable(
              ['id', 'type', 'published', 'failed', 'attempts', 'copies', 'reason', 'body'],
              shown.map((d) => [
                d.messageId,
                d.type ?? '-',
                d.publishedAt ?? '-',
                d.failedAt ?? '-',
                d.attempts === undefined ? '-' : String(d.attempts),
                String(d.copies),
                d.errorCode ? `${d.errorCode}: ${d.errorMessage ?? ''}` : '(not recorded: moved by the redrive policy)',
                d.excerpt,
              ]),
            ),
          );
          lines.push(`${shown.length} dead letter(s) in ${queue.deadLetterQueueName}${copies > shown.length ? ` (${copies} copies: ${copies - shown.length} duplicate(s) of the same source messages)` : ''}`);
        } else {
          lines.push(`no dead letters ${inFlight > 0 ? 'visible ' : ''}in ${queue.deadLetterQueueName}${all.length > 0 ? ' match the filter' : ''}`);
        }
        if (report.maxReached) lines.push(`stopped at --max ${options.max}; there may be more`);
        if (behindGroupHeads > 0) {
          lines.push(
            `${behindGroupHeads} more dead letter(s) wait behind the ones listed in their message group, not shown: a FIFO queue hands out a group's next message only after the one before it; dlq redrive moves them all in order`,
          );
        }
        if (inFlight > 0) {
          lines.push(
            `${inFlight} more message(s) in flight, hidden by another reader (a running or interrupted redrive or consumer): they come back when their visibility timeout ends; look again then`,
          );
        }
        return lines.join('\n');
      });
    },
  );
}
