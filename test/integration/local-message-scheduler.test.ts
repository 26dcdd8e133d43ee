import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { LocalMessageScheduler } from '../../lib/local/local-message-scheduler.ts';
import type { ScheduledDelivery } from '../../lib/runtime/publishing/scheduling/message-scheduler.ts';
import { emulatorClients, uniqueStage } from '../helpers/emulator.ts';
import { gate } from '../helpers/polling-fixtures.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

describe('the local scheduler, cancelled and scheduled again while it fires', () => {
  it('keeps a message rescheduled under the same id while the first schedule was being delivered', async () => {
    const probe = emulatorClients();
    const { QueueUrl } = await probe.sqs.send(new CreateQueueCommand({ QueueName: `${uniqueStage()}-reminders` }));
    const clients = emulatorClients();
    // A slow network to the emulator: the first schedule's SendMessage is under way for a moment, as any call may be.
    const sending = gate();
    const proceed = gate();
    clients.sqs.middlewareStack.add(
      (next) => async (args) => {
        sending.open();
        await proceed.opened;
        return next(args);
      },
      { step: 'build', name: 'slowNetwork' },
    );
    const scheduler = new LocalMessageScheduler({ sns: clients.sns, sqs: clients.sqs, checkEveryMs: 3_600_000 });
    const delivery = (body: string, inSeconds: number): ScheduledDelivery => ({
      name: 'postbox-reminder-1',
      at: new Date(scheduler.now() + inSeconds * 1000),
      call: { kind: 'queue', queueUrl: QueueUrl!, message: body, messageAttributes: {} },
    });
    try {
      await scheduler.schedule(delivery('first', 60));
      const firing = scheduler.advance(120);
      await sending.opened;
      // The application moves the reminder an hour later: cancel (true: it was waiting), then schedule again by its id.
      await scheduler.cancel('postbox-reminder-1');
      await scheduler.schedule(delivery('second', 3600));
      proceed.open();
      await firing;
      expect(scheduler.pending().map((waiting) => waiting.name)).toEqual(['postbox-reminder-1']);
      await scheduler.advance(3600);
      const bodies = (await receiveAvailable(probe.sqs, QueueUrl!, { visibilitySeconds: 0 })).map((message) => message.Body);
      expect(bodies).toContain('second');
    } finally {
      proceed.open();
      scheduler.stop();
    }
  }, 30_000);
});
