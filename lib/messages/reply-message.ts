import { safeParse } from 'zod/mini';
import type { MessageSchema } from '../topology/topology-schema.ts';

/**
 * What a command's handler sends back to its requester's reply queue: the request's id, and its data or why it
 * failed. A JSON body of its own (not an envelope): only the Requester that asked reads it.
 */
export type ReplyMessage =
  | { readonly postbox: 'reply'; readonly inreplyto: string; readonly type: string; readonly status: 'ok'; readonly data: unknown }
  | { readonly postbox: 'reply'; readonly inreplyto: string; readonly type: string; readonly status: 'error'; readonly error: { readonly code: string; readonly message: string } };

export function okReply(inReplyTo: string, type: string, data: unknown): string {
  return JSON.stringify({ postbox: 'reply', inreplyto: inReplyTo, type, status: 'ok', data } satisfies ReplyMessage);
}

export function errorReply(inReplyTo: string, type: string, error: { code: string; message: string }): string {
  return JSON.stringify({ postbox: 'reply', inreplyto: inReplyTo, type, status: 'error', error } satisfies ReplyMessage);
}

/** A reply read from a reply queue; undefined for a body that is no reply (it is dropped). */
export function decodeReply(body: string): ReplyMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<ReplyMessage> | null;
    if (value?.postbox !== 'reply' || typeof value.inreplyto !== 'string' || typeof value.type !== 'string') return undefined;
    if (value.status === 'ok' && 'data' in value) return value as ReplyMessage;
    if (value.status === 'error' && typeof (value as { error?: { code?: unknown } }).error?.code === 'string') return value as ReplyMessage;
    return undefined;
  } catch {
    return undefined;
  }
}

/** The reply data validated by the command's reply schema: its output, or the problems, one line each. */
export function validReplyData(schema: MessageSchema, data: unknown): { ok: true; data: unknown } | { ok: false; problems: string[] } {
  const result = safeParse(schema, data);
  return result.success ? { ok: true, data: result.data } : { ok: false, problems: result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(data)'}: ${issue.message}`) };
}
