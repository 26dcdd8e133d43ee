import { USER_ENVIRONMENT } from '../../messages/wire-contract.ts';

let file: number | undefined;

/**
 * Where log and metric lines go: stdout (what Lambda and containers collect),
 * or the file named by POSTBOX_LOG_FILE (what `npm start` uses so that its
 * live view stays readable). `node:fs` is taken only for a file: importing it
 * costs every Lambda cold start, where the lines go to stdout (see `npm run bench`).
 */
export function writeLogLine(line: string): void {
  const path = process.env[USER_ENVIRONMENT.logFile];
  if (!path) {
    process.stdout.write(`${line}\n`);
    return;
  }
  const fs = process.getBuiltinModule('node:fs');
  file ??= fs.openSync(path, 'a');
  fs.writeSync(file, `${line}\n`);
}

/**
 * Writes a CloudWatch embedded-metric (EMF) line where log lines go, unless
 * POSTBOX_METRICS is `off`: tests and local runs have no CloudWatch to read them,
 * and a log level does not hide them, since a deployed service's alarms need them at any level.
 */
export function writeMetricLine(line: string): void {
  if (metricsOff()) return;
  writeLogLine(line);
}

/** Whether POSTBOX_METRICS turns CloudWatch's embedded metrics off, in metric lines and in log lines that carry them. */
export function metricsOff(): boolean {
  return process.env[USER_ENVIRONMENT.metrics] === 'off';
}
