import { randomBytes } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { awsClientConfig } from '../../lib/aws/aws-client-config.ts';
import { createAwsClients, type AwsClients } from '../../lib/aws/aws-clients.ts';

/** Clients bound to the emulator started by the global setup. */
export function emulatorClients(): AwsClients {
  return createAwsClients({ endpoint: inject('awsEndpoint'), region: 'us-east-1' });
}

/** A stage name of its own for a test, so tests never see each other's queues. */
export function uniqueStage(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/** An S3 client bound to the emulator, path-style: the emulator's host names no bucket. */
export function emulatorS3(): S3Client {
  return new S3Client({ ...awsClientConfig({ endpoint: inject('awsEndpoint'), region: 'us-east-1' }), forcePathStyle: true });
}
