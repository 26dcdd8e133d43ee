import { openSync, writeSync } from 'node:fs';
import { USER_ENVIRONMENT } from '../../messages/wire-contract.ts';

let file: number | undefined;

/**
 * Where log and metric lines go: stdout (what Lambda and containers collect),
 * or the file named by POSTBOX_LOG_FILE (what `npm start` uses so that its
 * live view stays readable).
 */
export function writeLogLine(line: string): void {
  const path = process.env[USER_ENVIRONMENT.logFile];
  if (!path) {
    process.stdout.write(`${line}\n`);
    return;
  }
  file ??= openSync(path, 'a');
  writeSync(file, `${line}\n`);
}
