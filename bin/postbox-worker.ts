#!/usr/bin/env node
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command, InvalidArgumentError } from 'commander';
import { analyticsHandlers, analyticsUniqueJobs } from '../examples/orders/orders-handlers.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { startLocalEnvironment } from '../lib/local/local-environment.ts';
import { awsClientConfig } from '../lib/runtime/aws-client-config.ts';
import { createAwsClients } from '../lib/runtime/aws-clients.ts';
import { createLogger } from '../lib/runtime/observability/logger.ts';
import { exitCodeOf } from '../lib/runtime/consuming/polling/consumer-limits.ts';
import { runWorkers } from '../lib/runtime/consuming/polling/run-workers.ts';

/**
 * postbox-worker: runs the example app's worker consumers (the analytics
 * subscriber) until a signal or a limit stops them; exits 0 then, so its
 * supervisor (ECS, systemd) simply starts a fresh one, and 70 when handlers
 * stuck past their time limit hold its slots (limit maxAbandonedHandlers).
 */
const positive = (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a positive number');
  return number;
};

const options = new Command('postbox-worker')
  .description("Runs the topology's worker consumers: long polling, heartbeat, graceful shutdown, limits.")
  .option('--stage <stage>', 'stage of the topology', process.env.POSTBOX_STAGE ?? 'dev')
  .option('--endpoint <url>', 'AWS-compatible endpoint (default: AWS_ENDPOINT_URL, else AWS)')
  .option('--region <region>', 'AWS region (default: AWS_REGION)')
  .option('--local', 'start the embedded emulator and provision the topology into it first')
  .option('--health-port <port>', 'port of the GET /health endpoint', positive)
  .option('--max-messages <n>', 'stop after handling this many messages', positive)
  .option('--max-runtime <seconds>', 'stop after running this long', positive)
  .option('--max-memory-mb <mib>', 'stop when resident memory passes this', positive)
  .option('--grace <seconds>', 'how long running tasks may finish on stop', positive, 30)
  .option('--wait-time <seconds>', 'long-poll wait of each receive (at most 20)', positive, 20)
  .parse()
  .opts<{
    stage: string;
    endpoint?: string;
    region?: string;
    local?: boolean;
    healthPort?: number;
    maxMessages?: number;
    maxRuntime?: number;
    maxMemoryMb?: number;
    grace: number;
    waitTime: number;
  }>();

const logger = createLogger({ service: 'postbox-worker', stage: options.stage });
const local = options.local ? await startLocalEnvironment(ordersTopology, { stage: options.stage, logger }) : undefined;
const endpoint = local?.endpoint ?? options.endpoint;
const clients = createAwsClients({ ...(endpoint && { endpoint }), ...(options.region && { region: options.region }) });
const workers = await runWorkers(ordersTopology, {
  stage: options.stage,
  handlers: { analytics: analyticsHandlers },
  uniqueJobs: { analytics: analyticsUniqueJobs },
  // Locally the emulator's table; deployed, POSTBOX_JOB_LOCK_TABLE set by WorkerService.
  ...(local?.jobLockTable && { jobLockTable: local.jobLockTable }),
  sqs: clients.sqs,
  dynamodb: new DynamoDBClient(awsClientConfig({ ...(endpoint && { endpoint }), ...(options.region && { region: options.region }) })),
  logger,
  ...(options.healthPort !== undefined && { healthPort: options.healthPort }),
  limits: {
    ...(options.maxMessages !== undefined && { maxMessages: options.maxMessages }),
    ...(options.maxRuntime !== undefined && { maxRuntimeSeconds: options.maxRuntime }),
    ...(options.maxMemoryMb !== undefined && { maxMemoryMb: options.maxMemoryMb }),
  },
  consumer: { shutdownGraceSeconds: options.grace, waitTimeSeconds: options.waitTime },
});
if (workers.health) logger.info('health endpoint listening', { url: `http://127.0.0.1:${workers.health.port}/health` });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void workers.stop('signal'));
}
const reason = await workers.stopped;
await local?.stop();
const exitCode = exitCodeOf(reason);
logger.info('worker exiting', { reason, exitCode });
process.exit(exitCode);
