import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AnyTopology } from '../messages/message-types.ts';
import { awsClientConfig } from '../runtime/aws-client-config.ts';
import { createAwsClients } from '../runtime/aws-clients.ts';
import type { Logger } from '../runtime/observability/logger.ts';
import { resolveTopology } from '../topology/resolve-topology.ts';
import { startEmbeddedEmulator } from './embedded-emulator.ts';
import { provisionJobLockTable, provisionTopology, type ProvisionedTopology } from './provisioner.ts';

export interface LocalEnvironment {
  readonly endpoint: string;
  readonly provisioned: ProvisionedTopology;
  /** The job lock table of the topology's workers; undefined when it has none. */
  readonly jobLockTable?: string;
  stop(): Promise<void>;
}

/**
 * The embedded emulator with a topology provisioned into it: what `npm run
 * worker` and `npm start` run against when no endpoint is given.
 */
export async function startLocalEnvironment(topology: AnyTopology, options: { stage: string; logger: Logger }): Promise<LocalEnvironment> {
  const emulator = await startEmbeddedEmulator();
  // Any credentials do for the emulator; the SDK still insists on some.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_REGION ??= 'us-east-1';
  const resolved = resolveTopology(topology, { stage: options.stage });
  const provisioned = await provisionTopology(resolved, createAwsClients({ endpoint: emulator.endpoint }));
  const jobLockTable = await provisionJobLockTable(resolved, new DynamoDBClient(awsClientConfig({ endpoint: emulator.endpoint })));
  options.logger.info('local emulator ready, topology provisioned', {
    endpoint: emulator.endpoint,
    queues: [...provisioned.queues.keys()],
    topics: [...provisioned.topicArns.keys()],
    ...(jobLockTable && { jobLockTable }),
  });
  return { endpoint: emulator.endpoint, provisioned, ...(jobLockTable && { jobLockTable }), stop: () => emulator.stop() };
}
