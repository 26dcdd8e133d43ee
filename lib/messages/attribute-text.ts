import { Buffer } from 'node:buffer';

const REPLACEMENT = '\uFFFD';
const ELLIPSIS = '…';

/** The characters SQS allows in a message: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. */
function isAllowed(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/**
 * Text SQS accepts as an attribute value, at most `maxBytes` bytes of UTF-8:
 * characters SQS refuses (control characters, lone surrogates) become U+FFFD,
 * and text that is too long is cut on a character boundary and ends with `…`.
 */
export function attributeText(text: string, maxBytes: number): string {
  let clean = '';
  for (const character of text) clean += isAllowed(character.codePointAt(0)!) ? character : REPLACEMENT;
  if (Buffer.byteLength(clean) <= maxBytes) return clean;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS);
  let cut = '';
  let bytes = 0;
  for (const character of clean) {
    const size = Buffer.byteLength(character);
    if (bytes + size > budget) break;
    cut += character;
    bytes += size;
  }
  return cut + ELLIPSIS;
}
