import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One effect a handler performed: the idempotency record of a message on a queue. */
export interface Effect {
  readonly queue: string;
  /** `<type>:<orderId>`: the message as its producer knows it, the same across redeliveries and redrives. */
  readonly key: string;
  readonly attempt: number;
  readonly pid: number;
  readonly at: number;
}

/**
 * The handlers' idempotency records, one JSON line per effect, appended
 * synchronously: a line written before a SIGKILL is on disk after it, so a
 * message handled twice shows as two lines. Each process writes a file of its own.
 */
export class EffectLedger {
  private readonly file: string;

  constructor(directory: string) {
    this.file = path.join(directory, `effects-${process.pid}.jsonl`);
  }

  record(queue: string, key: string, attempt: number): void {
    const effect: Effect = { queue, key, attempt, pid: process.pid, at: Date.now() };
    appendFileSync(this.file, `${JSON.stringify(effect)}\n`);
  }

  /** Every effect every process recorded in `directory`. */
  static readAll(directory: string): Effect[] {
    return readdirSync(directory)
      .filter((name) => name.startsWith('effects-'))
      .flatMap((name) => readFileSync(path.join(directory, name), 'utf8').split('\n'))
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Effect);
  }

  /** Every effect handlers wrote to `tableName` with their messages' idempotency records (the idempotent pass). */
  static async readTable(dynamodb: DynamoDBClient, tableName: string): Promise<Effect[]> {
    const effects: Effect[] = [];
    let ExclusiveStartKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
      effects.push(...(page.Items ?? []).map((item) => JSON.parse(item.effect!.S!) as Effect));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return effects;
  }
}
