import type { TestProject } from 'vitest/node';
import { emulatorKind, startEmbeddedEmulator } from '../../lib/local/embedded-emulator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}

/**
 * Starts the emulator of the project's POSTBOX_EMULATOR (fauxqs or moto) for
 * its integration tests, unless AWS_ENDPOINT_URL points at one already
 * (LocalStack, a server you run yourself).
 */
export default async function setup(project: TestProject) {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) {
    project.provide('awsEndpoint', external);
    return;
  }
  const emulator = await startEmbeddedEmulator(emulatorKind(project.config.env));
  project.provide('awsEndpoint', emulator.endpoint);
  return () => emulator.stop();
}
