const MS_PER_DAY = 86_400_000;
/** 10000-01-01T00:00:00Z: from there on ISO years take more than four digits. */
const YEAR_10000_MS = 253_402_300_800_000;

let cachedDay = Number.NaN;
let cachedDayPrefix = '';
/** The last time asked for: records of one batch often share their SentTimestamp. */
let lastMs = Number.NaN;
let lastIso = '';

const twoDigits = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const threeDigits = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(epochMs).toISOString()`, written by hand because a plain message
 * (no envelope) takes its time from SQS's SentTimestamp on every record, and
 * toISOString costs about twice a JSON.parse of the record (see `npm run bench`).
 * The date part is cached per day; the time of day is plain arithmetic.
 */
export function isoTimestamp(epochMs: number): string {
  if (epochMs === lastMs) return lastIso;
  if (!Number.isInteger(epochMs) || epochMs < 0 || epochMs >= YEAR_10000_MS) return new Date(epochMs).toISOString();
  const day = Math.floor(epochMs / MS_PER_DAY);
  if (day !== cachedDay) {
    cachedDayPrefix = new Date(day * MS_PER_DAY).toISOString().slice(0, 'YYYY-MM-DDT'.length);
    cachedDay = day;
  }
  let rest = epochMs - day * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  lastIso = `${cachedDayPrefix}${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${threeDigits(rest - seconds * 1000)}Z`;
  lastMs = epochMs;
  return lastIso;
}
