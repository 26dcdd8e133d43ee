import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { EMULATOR_KINDS, emulatorKind } from './lib/local/embedded-emulator.ts';

// Everything the tests write to the temporary directory (the CDK's syntheses too) goes under one directory of this
// run, removed at its end (test/helpers/temporary-directory-global-setup.ts). Made once: the config is loaded once.
process.env.POSTBOX_TEST_TMPDIR ??= mkdtempSync(path.join(os.tmpdir(), 'postbox-tests-'));
const temporary = process.env.POSTBOX_TEST_TMPDIR;

// Fake credentials and a fixed region: tests only ever talk to the local emulator.
const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: '', TMPDIR: temporary };
const cleanUp = 'test/helpers/temporary-directory-global-setup.ts';

// The integration suite runs against every SQS/SNS emulator Postbox supports (what one gets wrong, another may
// catch), or only against the one POSTBOX_EMULATOR names.
const emulators = process.env.POSTBOX_EMULATOR ? [emulatorKind()] : EMULATOR_KINDS;

// In this repository the package refers to itself by name (as tsconfig.json's paths say for tsc, tsx and esbuild).
const self = (entry: string) => fileURLToPath(new URL(entry, import.meta.url));
const alias = [
  { find: /^postbox$/, replacement: self('./lib/index.ts') },
  { find: /^postbox\/cdk$/, replacement: self('./lib/cdk.ts') },
  { find: /^postbox\/testing$/, replacement: self('./lib/testing.ts') },
  { find: /^postbox\/cli$/, replacement: self('./lib/cli.ts') },
  { find: /^postbox\/worker$/, replacement: self('./lib/worker.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    // Vitest's default on a 2-core machine is one worker, but the tests mostly wait on the emulators, child
    // processes and installs: three files at a time take the suite from about 8 to about 3 minutes here.
    maxWorkers: 3,
    minWorkers: 1,
    // `npm test` passes --coverage: lines of lib/ run in the test processes (not in the child processes some tests
    // start). The floor is the figure when it was set, rounded down, so that it only rises.
    coverage: {
      provider: 'v8' as const,
      include: ['lib/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 92, statements: 92, functions: 95, branches: 90 },
    },
    projects: [
      // A few unit tests run the postbox command in a child process (tsx compiles on start): 5 s is too short on a busy
      // 2-core machine (seen in CI-like runs), as for the infra project's syntheses.
      { extends: true as const, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env, testTimeout: 30_000, globalSetup: [cleanUp] } },
      { extends: true as const, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], env, testTimeout: 60_000, globalSetup: [cleanUp] } },
      ...emulators.map((emulator) => ({
        extends: true as const,
        test: {
          name: `integration:${emulator}`,
          // The example services' own tests (written with postbox/testing) run here too.
          include: ['test/integration/**/*.test.ts', 'examples/*/**/*.test.ts'],
          env: { ...env, POSTBOX_EMULATOR: emulator },
          globalSetup: ['test/helpers/emulator-global-setup.ts', cleanUp],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      })),
      // The packed package installed into a fresh project (test/package): once, not per emulator; slow, as it installs.
      { extends: true as const, test: { name: 'package', include: ['test/package/**/*.test.ts'], env, testTimeout: 600_000, hookTimeout: 600_000, globalSetup: [cleanUp] } },
      { extends: true as const, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], env, testTimeout: 120_000, hookTimeout: 120_000, globalSetup: [cleanUp] } },
    ],
  },
});
