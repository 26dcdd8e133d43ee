import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { decodeReply, errorReply, okReply, validReplyData } from '../../lib/messages/reply-message.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';

describe('a reply on the wire', () => {
  it('reads back what a handler sent: its data, or its failure', () => {
    expect(decodeReply(okReply('m-1', 'report.generate', { url: 'u' }))).toEqual({ postbox: 'reply', inreplyto: 'm-1', type: 'report.generate', status: 'ok', data: { url: 'u' } });
    expect(decodeReply(errorReply('m-2', 'report.generate', { code: 'MONTH_CLOSED', message: 'closed' }))).toMatchObject({ status: 'error', error: { code: 'MONTH_CLOSED' } });
  });

  it('is nothing for a body that is no reply: not JSON, another shape, a reply without its data or error', () => {
    for (const body of ['not json', 'null', '{"specversion":"1.0"}', '{"postbox":"reply","inreplyto":"m","type":"t","status":"ok"}', '{"postbox":"reply","inreplyto":"m","type":"t","status":"error"}']) {
      expect(decodeReply(body)).toBeUndefined();
    }
  });

  it("is validated by the command's reply schema, with its defaults applied", () => {
    const schema = z.object({ url: z.string().url(), pages: z.number().default(1) });
    expect(validReplyData(schema, { url: 'https://x.example' })).toEqual({ ok: true, data: { url: 'https://x.example', pages: 1 } });
    expect(validReplyData(schema, { url: 'x' })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^url: /)] });
  });
});

describe('a reply schema in the topology', () => {
  it('belongs to commands: an event that declares one is refused', () => {
    const declaration = defineTopology({
      app: 'shop',
      events: { 'order.placed': { schema: z.object({ id: z.string() }), reply: z.object({ ok: z.boolean() }) } },
      topics: { orders: { events: ['order.placed'] } },
    });
    expect(() => resolveTopology(declaration, { stage: 'dev' })).toThrowError(/events\.order\.placed\.reply: only a command has a reply/);
  });
});
