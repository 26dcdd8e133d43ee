// A worker process of the chaos run: the analytics worker of the example topology, as `postbox-worker` runs it,
// with the chaos handlers and a fault-injecting SQS client. The orchestrator SIGKILLs it at random moments.
import { appendFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { analyticsUniqueJobs } from '../../examples/orders/orders-handlers.ts';
import { createLogger } from '../../lib/runtime/observability/logger.ts';
import { runWorkers } from '../../lib/runtime/consuming/workers/run-workers.ts';
import type { ChaosWorkerSettings } from './chaos-settings.ts';
import { chaosHandlers } from './chaos-handlers.ts';
import { chaosTopologyOf } from './chaos-topology.ts';
import { EffectLedger } from './effect-ledger.ts';
import { withSdkFaults } from './faulty-sqs-client.ts';

const settings = JSON.parse(process.argv[2]!) as ChaosWorkerSettings;
const client = { endpoint: settings.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'chaos', secretAccessKey: 'chaos' } };
const injected = { dropped: 0, delayed: 0 };
const sqs = withSdkFaults(new SQSClient(client), settings.sdkFaults, Math.random, injected);
const logger = createLogger({ pid: process.pid }, { level: 'warn', write: (line) => appendFileSync(settings.logFile, `${line}\n`) });
const ledger = new EffectLedger(settings.ledgerDirectory);

const workers = await runWorkers(chaosTopologyOf(settings.idempotent), {
  stage: settings.stage,
  queues: {
    analytics: {
      handlers: chaosHandlers('analytics', ['order.cancelled'], { seed: settings.seed, rates: settings.rates, ledger, idempotent: settings.idempotent, ...(settings.effectsTable && { effectsTable: settings.effectsTable }) }),
      uniqueJobs: analyticsUniqueJobs,
    },
  },
  jobLockTable: settings.jobLockTable,
  sqs,
  dynamodb: new DynamoDBClient(client),
  consumer: { waitTimeSeconds: 1, heartbeatIntervalSeconds: 3600, shutdownGraceSeconds: 3, writeMetrics: () => undefined },
  logger,
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void workers.stop('signal'));
await workers.stopped;
process.stdout.write(`${JSON.stringify(injected)}\n`);
process.exit(0);
