import { defineConfig } from 'vitest/config';

// Fake credentials and a fixed region: tests only ever talk to the local emulator.
const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: '' };

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], env, testTimeout: 60_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          env,
          globalSetup: ['test/helpers/emulator-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], env, testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
