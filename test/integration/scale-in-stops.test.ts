import { describe, expect, it } from 'vitest';
import { emulatorClients } from '../helpers/emulator.ts';
import { archiveConsumers, gate, until } from '../helpers/polling-fixtures.ts';
import { queueDepth, receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const { setUp } = archiveConsumers();

/**
 * The development profile's worker service scales in as soon as the backlog shrinks (exact task counts, no running-task
 * count), and ECS stops any task it likes: a long job's task may be stopped again and again. Each stop releases the
 * job unfinished (it never failed), yet SQS counts each of its receives.
 */
describe('a long job whose task is stopped by scale-in, again and again (fault review 22)', () => {
  it('is still run, not dead-lettered unrun, after more stops than the queue allows receives', async () => {
    const { consumer, send, archive } = await setUp();
    await send('long-job');
    // The archive queue allows 3 receives (maxReceiveCount 3). Each task is stopped while the job runs, past its grace.
    for (let stop = 1; stop <= 3; stop++) {
      const started = gate();
      const task = consumer((_, signal) => {
        started.open();
        return new Promise((resolve) => signal?.addEventListener('abort', resolve));
      }, { shutdownGraceSeconds: 0.2 });
      task.start();
      await started.opened;
      await task.stop('signal');
      await until(async () => (await queueDepth(clients.sqs, archive.url)).visible === 1);
    }
    // The next task, which nobody stops, runs the job to its end.
    const done: string[] = [];
    const last = consumer(({ data }) => void done.push(data.paymentId));
    last.start();
    await until(() => last.health().handled === 1);
    expect(done).toEqual(['long-job']);
    expect(await receiveAvailable(clients.sqs, archive.deadLetterUrl, { visibilitySeconds: 0 })).toEqual([]);
  }, 60_000);
});
