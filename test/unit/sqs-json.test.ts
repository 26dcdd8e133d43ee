import { describe, expect, it } from 'vitest';
import { carriedProducerAttributes, failureRecordJsonAttribute } from '../../lib/messages/failure-record.ts';
import { sqsJson } from '../../lib/messages/sqs-json.ts';

/** Any character outside what SQS accepts: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF (a lone surrogate too). */
const REFUSED_BY_SQS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

describe('sqsJson', () => {
  it('writes every UTF-16 code unit, alone and beside others, as text SQS accepts, which JSON.parse reads back as it was', () => {
    const refused: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const character = String.fromCharCode(unit);
      const value = { [`key${character}`]: `a${character}b${character}`, list: [character, `\uD83D${character}`] };
      const json = sqsJson(value);
      if (REFUSED_BY_SQS.test(json) || JSON.stringify(JSON.parse(json)) !== JSON.stringify(value)) refused.push(unit.toString(16));
    }
    expect(refused).toEqual([]);
  });

  it('keeps pairs of surrogates (emoji) as they are, and escapes U+FFFE and U+FFFF', () => {
    expect(sqsJson({ text: 'a😀\uFFFE\uFFFF\uFFFD' })).toBe('{"text":"a😀\\ufffe\\uffff\uFFFD"}');
  });

  it('gives the JSON text of a value without such characters unchanged', () => {
    const value = { id: 'e-1', data: { name: 'Zoë', note: 'line\nbreak "quoted"' } };
    expect(sqsJson(value)).toBe(JSON.stringify(value));
  });
});

describe('the failure record as one JSON attribute', () => {
  it('carries producer attributes that hold U+FFFE (an emulator let them through) as text SQS accepts, and gives them back as they were', () => {
    const record = { errorCode: 'X', errorMessage: 'why', handler: 'q/t', attempt: 1, failedAt: '2026-01-01T00:00:00.000Z', sourceMessageId: 'm' };
    const overflow = { note: { DataType: 'String', StringValue: 'odd\uFFFE\uFFFF' } };
    const attribute = failureRecordJsonAttribute(record, overflow);
    expect(attribute.StringValue).not.toMatch(REFUSED_BY_SQS);
    expect(carriedProducerAttributes(attribute.StringValue)).toEqual(overflow);
  });
});
