import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { DEPLOYED_ENVIRONMENT } from '../../../messages/wire-contract.ts';
import { awsClientConfig } from '../../../aws/aws-client-config.ts';
import { createAwsClients } from '../../../aws/aws-clients.ts';
import { createLogger } from '../../observability/logger.ts';
import { exitCodeOf } from '../polling/consumer-limits.ts';
import type { WorkerDefinitions } from './define-workers.ts';
import { runWorkers, type RunningWorkers } from './run-workers.ts';
import { DEFAULT_STAGE, stageOf } from '../../../topology/stage-of.ts';

const positive = (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a positive number');
  return number;
};

/** What the caller already set up: `postbox worker --local` passes its emulator. */
export interface WorkerProcessEnvironment {
  readonly endpoint?: string;
  readonly stage?: string;
  readonly region?: string;
  readonly jobLockTable?: string;
}

interface WorkerOptions {
  readonly stage?: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly healthPort?: number;
  readonly maxMessages?: number;
  readonly maxRuntime?: number;
  readonly maxMemoryMb?: number;
  readonly grace: number;
  readonly waitTime: number;
}

/**
 * The worker's options from its arguments, or the exit code when they were refused (2, said in one line on stderr)
 * or asked for help (0). `postbox worker --local` checks them so before it starts the emulator.
 */
export function parseWorkerArgs(argv: readonly string[]): { readonly options: WorkerOptions } | { readonly exitCode: number } {
  const command = new Command('postbox worker')
    .description("Runs the topology's worker consumers: long polling, heartbeat, graceful shutdown, limits.")
    .option('--stage <stage>', `stage of the topology (default: ${DEPLOYED_ENVIRONMENT.stage}, else ${DEFAULT_STAGE}; with --local, the config's local stage)`)
    .option('--endpoint <url>', 'AWS-compatible endpoint (default: AWS_ENDPOINT_URL, else AWS)')
    .option('--region <region>', 'AWS region (default: AWS_REGION)')
    .option('--health-port <port>', 'port of the GET /health endpoint', positive)
    .option('--max-messages <n>', 'stop after handling this many messages', positive)
    .option('--max-runtime <seconds>', 'stop after running this long', positive)
    .option('--max-memory-mb <mib>', 'stop when resident memory passes this', positive)
    .option('--grace <seconds>', 'how long running tasks may finish on stop', positive, 30)
    .option('--wait-time <seconds>', 'long-poll wait of each receive (at most 20)', positive, 20)
    .addHelpText('after', '\n`postbox worker --local` runs them against the embedded emulator, which it starts and provisions.')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // In the voice of every other command: `postbox: ...`, one line.
      outputError: (text, write) => write(`postbox: ${text.replace(/^error: /, '').trim()}\n`),
    });
  try {
    command.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? 0 : 2 };
    throw error;
  }
  return { options: command.opts<WorkerOptions>() };
}

/**
 * The worker process: runs the worker consumers of `workers` until a signal or a limit stops them, and
 * resolves to the exit code: 0 then, so its supervisor (ECS, systemd) simply starts a fresh one; 70 when
 * handlers stuck past their time limit hold its slots (limit maxAbandonedHandlers); 2 on invalid options.
 * The worker image's entry and `postbox worker` both run it.
 */
export async function runWorkerProcess(workers: WorkerDefinitions, argv: readonly string[], environment: WorkerProcessEnvironment = {}): Promise<number> {
  const parsed = parseWorkerArgs(argv);
  if ('exitCode' in parsed) return parsed.exitCode;
  const { options } = parsed;
  const stage = stageOf(options.stage ?? environment.stage);
  const logger = createLogger({ app: workers.topology.app, stage });
  const endpoint = options.endpoint ?? environment.endpoint;
  const region = options.region ?? environment.region;
  const target = { ...(endpoint && { endpoint }), ...(region && { region }) };
  // Taken care of before the consumers start (and say so): a signal that comes in between is kept, not fatal.
  // Listened to until the process exits, not once: a second signal (npm forwards Ctrl-C's SIGINT to its child, which
  // the terminal signals too; a supervisor may repeat its SIGTERM) would otherwise kill the process mid-job, its running
  // messages cut short and hidden until their visibility runs out. The grace period bounds the stop already.
  let running: RunningWorkers | undefined;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.info('already stopping; running tasks have until the end of the grace period', { signal, graceSeconds: options.grace });
      return;
    }
    signalled = true;
    void running?.stop('signal');
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, onSignal);
  try {
    running = await runWorkers(workers.topology, {
      stage,
      queues: workers.queues,
      // Locally the emulator's table; deployed, POSTBOX_JOB_LOCK_TABLE set by WorkerService.
      ...(environment.jobLockTable && { jobLockTable: environment.jobLockTable }),
      sqs: createAwsClients(target).sqs,
      dynamodb: new DynamoDBClient(awsClientConfig(target)),
      logger,
      ...(options.healthPort !== undefined && { healthPort: options.healthPort }),
      limits: {
        ...(options.maxMessages !== undefined && { maxMessages: options.maxMessages }),
        ...(options.maxRuntime !== undefined && { maxRuntimeSeconds: options.maxRuntime }),
        ...(options.maxMemoryMb !== undefined && { maxMemoryMb: options.maxMemoryMb }),
      },
      consumer: { shutdownGraceSeconds: options.grace, waitTimeSeconds: options.waitTime },
    });
    if (running.health) logger.info('health endpoint listening', { url: `http://127.0.0.1:${running.health.port}/health` });
    if (signalled) void running.stop('signal');
    const reason = await running.stopped;
    const exitCode = exitCodeOf(reason);
    logger.info('worker exiting', { reason, exitCode });
    return exitCode;
  } finally {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.off(signal, onSignal);
  }
}
