import { defineConfig } from 'vitest/config';

// Each test file starts the service in-process against an embedded emulator: give the start a minute.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 60_000 } });
