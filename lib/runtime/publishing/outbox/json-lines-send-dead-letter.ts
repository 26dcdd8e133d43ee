import { existsSync } from 'node:fs';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { OutboxStoreUnavailableError, SendDeadLetterFileInvalidError } from './outbox-errors.ts';
import type { OutboxRecord } from './outbox-record.ts';
import type { SendDeadLetter } from './outbox-store.ts';

/**
 * A send dead-letter in a JSON-lines file, one record a line: for scripts, which have no outbox table.
 * `postbox outbox show --file` lists it and `postbox outbox replay --file` sends it again. Meant for one process at
 * a time: a replay rewrites the file.
 */
export class JsonLinesSendDeadLetter implements SendDeadLetter {
  constructor(readonly path: string) {}

  async deadLetter(records: readonly OutboxRecord[]): Promise<void> {
    if (records.length === 0) return;
    const replaced = new Set(records.map((record) => record.id));
    const kept = await this.read();
    if (kept.some((record) => replaced.has(record.id))) {
      await this.write([...kept.filter((record) => !replaced.has(record.id)), ...records]);
      return;
    }
    await this.attempt('append to', () => appendFile(this.path, records.map((record) => `${JSON.stringify(record)}\n`).join('')));
  }

  async deadLetters(options: { readonly ids?: readonly string[]; readonly max?: number } = {}): Promise<OutboxRecord[]> {
    const wanted = options.ids && new Set(options.ids);
    return (await this.read()).filter((record) => !wanted || wanted.has(record.id)).slice(0, options.max ?? Infinity);
  }

  async markSent(records: readonly OutboxRecord[]): Promise<void> {
    const sent = new Set(records.map((record) => record.id));
    await this.write((await this.read()).filter((record) => !sent.has(record.id)));
  }

  private async read(): Promise<OutboxRecord[]> {
    if (!existsSync(this.path)) return [];
    const text = await this.attempt('read', () => readFile(this.path, 'utf8'));
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => {
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          throw new SendDeadLetterFileInvalidError(this.path, index + 1, 'is not JSON');
        }
        if (typeof (record as { id?: unknown } | null)?.id !== 'string') throw new SendDeadLetterFileInvalidError(this.path, index + 1, 'is not a record of a message (it has no id)');
        return record as OutboxRecord;
      });
  }

  /** Replaces the file whole: written beside it, then renamed, so that a crash leaves the old file or the new. */
  private async write(records: readonly OutboxRecord[]): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    await this.attempt('rewrite', async () => {
      await writeFile(temporary, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
      await rename(temporary, this.path);
    });
  }

  private async attempt<R>(action: string, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      throw new OutboxStoreUnavailableError(`send dead-letter file ${this.path}`, action, error);
    }
  }
}
