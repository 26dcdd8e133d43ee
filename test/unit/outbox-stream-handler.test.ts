import { describe, expect, it } from 'vitest';
import { OutboxConfigurationError } from '../../lib/runtime/publishing/outbox/outbox-errors.ts';
import { writeOutboxMetrics } from '../../lib/runtime/publishing/outbox/outbox-metrics.ts';
import { createOutboxStreamHandler } from '../../lib/runtime/publishing/outbox/outbox-stream-handler.ts';

describe('the outbox relay Lambda', () => {
  it('refuses to start without its table, saying which variable names it', () => {
    const saved = process.env.POSTBOX_OUTBOX_TABLE;
    delete process.env.POSTBOX_OUTBOX_TABLE;
    try {
      expect(() => createOutboxStreamHandler()).toThrow(OutboxConfigurationError);
      expect(() => createOutboxStreamHandler()).toThrow(/set POSTBOX_OUTBOX_TABLE/);
    } finally {
      if (saved !== undefined) process.env.POSTBOX_OUTBOX_TABLE = saved;
    }
  });

  it('writes one EMF line per run, with the counts the alarm and the dashboard read', () => {
    const lines: string[] = [];
    const record = {} as never;
    writeOutboxMetrics('orders-prod-outbox', { sent: [record, record], deadLettered: [record], unsettled: [], problems: [] }, (line) => lines.push(line));
    expect(lines).toHaveLength(1);
    const document = JSON.parse(lines[0]!);
    expect(document._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Postbox/Outbox',
        Dimensions: [['Outbox']],
        Metrics: [
          { Name: 'Sent', Unit: 'Count' },
          { Name: 'SendsDeadLettered', Unit: 'Count' },
          { Name: 'Unsettled', Unit: 'Count' },
        ],
      },
    ]);
    expect(document).toMatchObject({ Outbox: 'orders-prod-outbox', Sent: 2, SendsDeadLettered: 1, Unsettled: 0 });
  });
});
