import { defineConfig } from 'vitest/config';

// Each test file starts the service in-process against an embedded emulator: give the start a minute. Handler
// logs at warn and above only, so that a failure's lines stand out (POSTBOX_LOG_LEVEL=info shows them all),
// and no CloudWatch metric lines: nothing reads them here (POSTBOX_METRICS=on shows them).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { POSTBOX_LOG_LEVEL: process.env.POSTBOX_LOG_LEVEL ?? 'warn', POSTBOX_METRICS: process.env.POSTBOX_METRICS ?? 'off' },
  },
});
