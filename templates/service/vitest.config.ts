import { defineConfig } from 'vitest/config';

// Each test file starts the service in-process against an embedded emulator: give the start a minute. Handler
// logs at warn and above only, so that a failure's lines stand out (POSTBOX_LOG_LEVEL=info shows them all).
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 60_000, env: { POSTBOX_LOG_LEVEL: process.env.POSTBOX_LOG_LEVEL ?? 'warn' } } });
