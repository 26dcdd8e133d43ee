import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createAwsClients, type AwsClients } from '../../lib/runtime/aws-clients.ts';

/** Clients bound to the emulator started by the global setup. */
export function emulatorClients(): AwsClients {
  return createAwsClients({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
}

/** A stage name of its own for a test, so tests never see each other's queues. */
export function uniqueStage(): string {
  return `t${randomBytes(4).toString('hex')}`;
}
