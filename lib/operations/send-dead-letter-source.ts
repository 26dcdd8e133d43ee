import { existsSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PostboxError } from '../postbox-error.ts';
import { DynamoDbOutboxStore } from '../runtime/publishing/outbox/dynamodb-outbox-store.ts';
import { JsonLinesSendDeadLetter } from '../runtime/publishing/outbox/json-lines-send-dead-letter.ts';
import type { SendDeadLetter } from '../runtime/publishing/outbox/outbox-store.ts';
import { outboxTableName } from '../topology/naming.ts';
import type { ResolvedTopology } from '../topology/resolve-topology.ts';

/** A JSON-lines send dead-letter named by path that is not there. */
export class SendDeadLetterFileNotFoundError extends PostboxError {
  readonly code = 'SEND_DEAD_LETTER_FILE_NOT_FOUND';

  constructor(readonly path: string) {
    super(`send dead-letter file ${path} does not exist; name the file a Publisher's JsonLinesSendDeadLetter writes`);
  }
}

export interface SendDeadLetterSource {
  readonly deadLetter: SendDeadLetter;
  /** What it is, as a person recognises it: `outbox table orders-dev-outbox`, `file unsent.jsonl`. */
  readonly where: string;
}

/** The send dead-letter asked for: the JSON-lines `file`, else the outbox `table`, else the topology's outbox table. */
export function sendDeadLetterSource(topology: ResolvedTopology, dynamodb: DynamoDBClient, { table, file }: { table?: string; file?: string }): SendDeadLetterSource {
  if (file !== undefined) {
    if (!existsSync(file)) throw new SendDeadLetterFileNotFoundError(file);
    return { deadLetter: new JsonLinesSendDeadLetter(file), where: `file ${file}` };
  }
  const tableName = table ?? outboxTableName(topology.prefix);
  return { deadLetter: new DynamoDbOutboxStore({ tableName, dynamodb }), where: `outbox table ${tableName}` };
}
