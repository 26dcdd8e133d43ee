/**
 * SQS (and SNS) accept in a message only #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
 * JSON.stringify already writes the others as escapes, all but two: control characters and lone
 * surrogates come out as `\u00XX` and `\udXXX`, U+FFFE and U+FFFF as themselves.
 */
const LEFT_RAW = /[\uFFFE\uFFFF]/;
const LEFT_RAW_ALL = /[\uFFFE\uFFFF]/g;

/**
 * `value` as JSON text that SQS and SNS accept, whatever strings it holds: every character they
 * refuse is a `\u` escape, which JSON.parse reads back as it was. The test before the replace keeps
 * the common message to one scan (this runs for every message sent, see `npm run bench`).
 */
export function sqsJson(value: object): string {
  const json = JSON.stringify(value);
  return LEFT_RAW.test(json) ? json.replace(LEFT_RAW_ALL, (character) => (character === '\uFFFE' ? '\\ufffe' : '\\uffff')) : json;
}
