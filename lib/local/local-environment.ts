import type { AnyTopology } from '../messages/message-types.ts';
import { createAwsClients } from '../runtime/aws-clients.ts';
import type { Logger } from '../runtime/logger.ts';
import { resolveTopology } from '../topology/resolve-topology.ts';
import { startMotoEmulator } from './moto-emulator.ts';
import { provisionTopology, type ProvisionedTopology } from './provisioner.ts';

export interface LocalEnvironment {
  readonly endpoint: string;
  readonly provisioned: ProvisionedTopology;
  stop(): Promise<void>;
}

/**
 * The embedded emulator with a topology provisioned into it: what `npm run
 * worker` and `npm start` run against when no endpoint is given.
 */
export async function startLocalEnvironment(topology: AnyTopology, options: { stage: string; logger: Logger }): Promise<LocalEnvironment> {
  const emulator = await startMotoEmulator();
  // Any credentials do for the emulator; the SDK still insists on some.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_REGION ??= 'us-east-1';
  const provisioned = await provisionTopology(resolveTopology(topology, { stage: options.stage }), createAwsClients({ endpoint: emulator.endpoint }));
  options.logger.info('local emulator ready, topology provisioned', {
    endpoint: emulator.endpoint,
    queues: [...provisioned.queues.keys()],
    topics: [...provisioned.topicArns.keys()],
  });
  return { endpoint: emulator.endpoint, provisioned, stop: () => emulator.stop() };
}
