/**
 * Structured JSON logs, one object a line, as CloudWatch Logs Insights reads
 * them. Written by hand: it is twenty lines, and a logging library would be
 * the largest part of every handler bundle (see `npm run bench`).
 */
import { isoTimestamp } from '../../messages/iso-timestamp.ts';
import { USER_ENVIRONMENT } from '../../messages/wire-contract.ts';
import { writeLogLine } from './log-output.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const levels: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** @default POSTBOX_LOG_LEVEL, else 'info' */
  readonly level?: LogLevel;
  /** @default one line to stdout, or to POSTBOX_LOG_FILE */
  readonly write?: (line: string) => void;
}

export function createLogger(base: Record<string, unknown> = {}, options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env[USER_ENVIRONMENT.logLevel] as LogLevel | undefined) ?? 'info';
  const threshold = levels[level] ?? levels.info;
  const write = options.write ?? writeLogLine;
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (levels[level] < threshold) return;
    write(JSON.stringify({ level, time: isoTimestamp(Date.now()), message, ...base, ...fields }, errorReplacer));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...base, ...fields }, { level, write }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...('code' in value && { code: value.code }), stack: value.stack };
  }
  return value;
}
