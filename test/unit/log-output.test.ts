import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { USER_ENVIRONMENT } from '../../lib/messages/wire-contract.ts';
import { writeLogLine } from '../../lib/runtime/observability/log-output.ts';

describe('writeLogLine', () => {
  afterEach(() => {
    delete process.env[USER_ENVIRONMENT.logFile];
  });

  it('appends each line to the file POSTBOX_LOG_FILE names, one line each', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-log-')), 'postbox.log');
    process.env[USER_ENVIRONMENT.logFile] = file;
    writeLogLine('{"message":"one"}');
    writeLogLine('{"message":"two"}');
    expect(readFileSync(file, 'utf8')).toBe('{"message":"one"}\n{"message":"two"}\n');
  });
});
