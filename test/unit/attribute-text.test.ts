import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { attributeText } from '../../lib/messages/attribute-text.ts';
import { failureRecord } from '../../lib/messages/failure-record.ts';

describe('attributeText', () => {
  it('keeps text SQS accepts as it is', () => {
    expect(attributeText('line 1\n\tline 2 — ünïcødé 😀', 100)).toBe('line 1\n\tline 2 — ünïcødé 😀');
  });

  it('replaces the characters SQS refuses: control characters, lone surrogates, U+FFFE', () => {
    expect(attributeText('a\u0000b\u001bc\ud800d\uffffe', 100)).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
  });

  it('cuts by UTF-8 bytes on a character boundary, never inside one', () => {
    const cut = attributeText('€'.repeat(400), 1024);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1024);
    expect(cut).toBe(`${'€'.repeat(340)}…`);
    const emoji = attributeText('😀'.repeat(10), 10);
    expect(emoji).toBe('😀…');
  });
});

describe('failureRecord', () => {
  it('cuts the reason to 1 KiB of UTF-8 and cleans every field', () => {
    const record = failureRecord({
      errorCode: 'X\u0000',
      errorMessage: 'ß'.repeat(2000),
      handler: 'q/t',
      attempt: 1,
      failedAt: '2026-01-01T00:00:00.000Z',
      sourceMessageId: 'm',
    });
    expect(Buffer.byteLength(record.errorMessage)).toBeLessThanOrEqual(1024);
    expect(record.errorMessage.endsWith('…')).toBe(true);
    expect(record.errorCode).toBe('X\uFFFD');
  });
});
