import { deleteDeadLetters, EmptyDeleteSelectionError } from '../operations/delete-dead-letters.ts';
import type { QueueDirectory } from '../operations/queue-directory.ts';
import { ConsoleAnswer, type ConsoleRoute } from './console-server.ts';
import type { LocalConsumers } from './local-consumers.ts';
import { MessageDataError, NotPublishableError, type LocalPublishing } from './local-publishing.ts';

/** What the console acts on in the running local system. */
export interface ConsoleActions {
  readonly directory: QueueDirectory;
  readonly publishing: LocalPublishing;
  readonly consumers: LocalConsumers;
}

/** A request the console refuses: 400 (404 for an unknown type), with a stable code, and the issues by field. */
function refusal(error: unknown): ConsoleAnswer {
  if (error instanceof MessageDataError) return new ConsoleAnswer(400, { error: error.message, code: error.code, issues: error.issues });
  if (error instanceof NotPublishableError) return new ConsoleAnswer(404, { error: error.message, code: error.code });
  if (error instanceof EmptyDeleteSelectionError) return new ConsoleAnswer(400, { error: error.message, code: error.code });
  throw error;
}

function badRequest(error: string): ConsoleAnswer {
  return new ConsoleAnswer(400, { error, code: 'INVALID_CONSOLE_REQUEST' });
}

/**
 * The console's routes that act on the system: publish an event or send a command from its schema's form, delete
 * selected dead letters (a redrive of selected ones is `POST /api/dlq/<queue>/redrive` with `ids`), and pause or
 * resume a queue's local consumer.
 */
export function consoleActionRoutes({ directory, publishing, consumers }: ConsoleActions): ConsoleRoute[] {
  return [
    ['GET', /^\/api\/message-types$/, async () => publishing.types()],
    [
      'POST',
      /^\/api\/publish$/,
      async (_, body) => {
        const { type, data } = (body ?? {}) as { type?: unknown; data?: unknown };
        if (typeof type !== 'string') return badRequest('POST /api/publish takes {"type": "<message type>", "data": {…}}; the type is missing');
        return publishing.publish(type, data).then((sent) => ({ type, ...sent }), refusal);
      },
    ],
    [
      'POST',
      /^\/api\/dlq\/([\w.-]+)\/delete$/,
      async ([, queue], body, { inTurn }) => {
        const ids = (body as { ids?: unknown } | undefined)?.ids;
        if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
          return badRequest(`POST /api/dlq/${queue}/delete takes {"ids": ["<message id>", …]}, the dead letters to delete`);
        }
        return inTurn(queue!, async () => deleteDeadLetters(directory.sqs, await directory.address(queue!), ids)).catch(refusal);
      },
    ],
    ['GET', /^\/api\/consumers$/, async () => consumers.states()],
    [
      'POST',
      /^\/api\/consumers\/([\w.-]+)\/(pause|resume)$/,
      async ([, queue, action]) => ({ queue, state: action === 'pause' ? consumers.pause(queue!) : consumers.resume(queue!) }),
    ],
  ];
}

