import type { TestProject } from 'vitest/node';
import { startMotoEmulator } from '../../lib/local/moto-emulator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}

/**
 * Starts one emulator for the integration tests, unless AWS_ENDPOINT_URL
 * points at one already (LocalStack, a moto server you run yourself).
 */
export default async function setup(project: TestProject) {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) {
    project.provide('awsEndpoint', external);
    return;
  }
  const emulator = await startMotoEmulator();
  project.provide('awsEndpoint', emulator.endpoint);
  return () => emulator.stop();
}
