import { describe, expect, it } from 'vitest';
import { MessageGroups } from '../../lib/runtime/consuming/message-groups.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MessageGroups', () => {
  it('runs the messages of a group one after the other, and different groups side by side', async () => {
    const groups = new MessageGroups();
    const events: string[] = [];
    const finish = new Map<string, () => void>();
    const job = (name: string) => () =>
      new Promise<boolean>((resolve) => {
        events.push(`start ${name}`);
        finish.set(name, () => {
          events.push(`end ${name}`);
          resolve(true);
        });
      });
    const release = async () => undefined;
    const all = Promise.all([groups.run('a', job('a1'), release), groups.run('a', job('a2'), release), groups.run('b', job('b1'), release)]);
    await tick();
    expect(events).toEqual(['start a1', 'start b1']);
    finish.get('a1')!();
    await tick();
    expect(events).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    finish.get('a2')!();
    finish.get('b1')!();
    await all;
  });

  it('after a message of a group fails, releases the rest of the group and runs the others', async () => {
    const groups = new MessageGroups();
    const events: string[] = [];
    const job = (name: string, leaves: boolean) => async () => {
      events.push(`run ${name}`);
      return leaves;
    };
    const release = (name: string) => async () => void events.push(`release ${name}`);
    await Promise.all([
      groups.run('a', job('a1', false), release('a1')),
      groups.run('a', job('a2', true), release('a2')),
      groups.run('b', job('b1', true), release('b1')),
      groups.run('a', job('a3', true), release('a3')),
    ]);
    expect(events.filter((event) => event.endsWith('a1') || event.endsWith('a2') || event.endsWith('a3'))).toEqual(['run a1', 'release a2', 'release a3']);
    expect(events).toContain('run b1');
    // Drained: the group's next delivery (the failed message first) runs again.
    await groups.run('a', job('a1', true), release('a1'));
    expect(events.at(-1)).toBe('run a1');
  });

  it('treats a message whose work throws as failed', async () => {
    const groups = new MessageGroups();
    const released: string[] = [];
    const failing = groups.run('a', () => Promise.reject(new Error('boom')), async () => undefined);
    const next = groups.run('a', async () => true, async () => void released.push('a2'));
    await expect(failing).rejects.toThrow('boom');
    await next;
    expect(released).toEqual(['a2']);
  });
});
