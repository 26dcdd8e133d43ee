import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { USER_ENVIRONMENT } from '../../lib/messages/wire-contract.ts';
import { heartbeatFields } from '../../lib/runtime/consuming/polling/consumer-health.ts';
import { EmfMetrics } from '../../lib/runtime/observability/emf-metrics.ts';
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

describe('writeMetricLine', () => {
  afterEach(() => {
    delete process.env[USER_ENVIRONMENT.metrics];
    vi.restoreAllMocks();
  });

  const metricLinesWritten = () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    const metrics = new EmfMetrics('Postbox/shop', 'billing');
    metrics.count('order.placed', 'Processed');
    metrics.flush();
    return written;
  };

  it('writes the embedded-metric lines where log lines go, whatever the log level', () => {
    process.env[USER_ENVIRONMENT.logLevel] = 'error';
    try {
      expect(metricLinesWritten()).toEqual([expect.stringContaining('"CloudWatchMetrics"')]);
    } finally {
      delete process.env[USER_ENVIRONMENT.logLevel];
    }
  });

  it('writes none when POSTBOX_METRICS is off, as in tests with no CloudWatch to read them', () => {
    process.env[USER_ENVIRONMENT.metrics] = 'off';
    expect(metricLinesWritten()).toEqual([]);
  });

  it("leaves the embedded metrics out of the worker's heartbeat log line when POSTBOX_METRICS is off", () => {
    const health = { status: 'polling', queue: 'billing', inFlight: 2, waiting: 0, handled: 5, failed: 0, lastPollAt: 0, startedAt: 0 } as const;
    expect(heartbeatFields(health)).toHaveProperty('_aws');
    process.env[USER_ENVIRONMENT.metrics] = 'off';
    expect(heartbeatFields(health)).toEqual({ Queue: 'billing', Heartbeat: 1, InFlight: 2, handled: 5, failed: 0, status: 'polling' });
  });
});
