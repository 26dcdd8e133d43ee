import { rmSync } from 'node:fs';

/**
 * Removes the run's temporary directory (vitest.config.ts makes it and points TMPDIR at it) once every project is
 * done: the CDK's `cdk.out*` syntheses, the tests' `mkdtemp` directories and their child processes' files go with it.
 */
export default function setup() {
  return () => {
    const directory = process.env.POSTBOX_TEST_TMPDIR;
    if (directory) rmSync(directory, { recursive: true, force: true });
  };
}
