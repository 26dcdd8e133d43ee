import { defineConfig } from 'vitest/config';
import { EMULATOR_KINDS, emulatorKind } from './lib/local/embedded-emulator.ts';

// Fake credentials and a fixed region: tests only ever talk to the local emulator.
const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: '' };

// The integration suite runs against every SQS/SNS emulator Postbox supports (what one gets wrong, another may
// catch), or only against the one POSTBOX_EMULATOR names.
const emulators = process.env.POSTBOX_EMULATOR ? [emulatorKind()] : EMULATOR_KINDS;

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], env, testTimeout: 60_000 } },
      ...emulators.map((emulator) => ({
        test: {
          name: `integration:${emulator}`,
          include: ['test/integration/**/*.test.ts'],
          env: { ...env, POSTBOX_EMULATOR: emulator },
          globalSetup: ['test/helpers/emulator-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      })),
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], env, testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
