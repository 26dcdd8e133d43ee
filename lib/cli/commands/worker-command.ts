import type { Command } from 'commander';
import { loadWorkers, type ProjectConfig } from '../../config/load-project-config.ts';
import { exportEndpointEnvironment, startLocalEnvironment, usesUniqueJobs } from '../../local/local-environment.ts';
import { createLogger } from '../../runtime/observability/logger.ts';
import { parseWorkerArgs, runWorkerProcess } from '../../runtime/consuming/workers/worker-process.ts';
import { needsNoWorkersModule, workersOfTopology } from '../../runtime/consuming/workers/define-workers.ts';
import { resolveTopology } from '../../topology/resolve-topology.ts';
import { jobLockTableName, resourcePrefix } from '../../topology/naming.ts';
import { DEPLOYED_ENVIRONMENT } from '../../messages/wire-contract.ts';
import { isEmulatorEndpoint } from '../../aws/local-endpoint.ts';
import { defaultStage } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';

/**
 * `postbox worker [--local] [options]`: the config's workers, as the worker image runs them; with
 * --local, against the embedded emulator with the topology provisioned under the config's local stage.
 * Every other option is the worker process's own (`postbox worker --help`).
 */
export function registerWorker(program: Command, config: () => Promise<ProjectConfig>, exit: (code: number) => void): void {
  program
    .command('worker')
    .description("run the config's workers (long polling, heartbeat, graceful shutdown, limits); --local: against the embedded emulator")
    .option('--local', 'start the embedded emulator and provision the topology into it first')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', '\nThe global --endpoint, --region and --stage apply; --stage defaults to POSTBOX_STAGE, else with --local to the config\'s local stage, else to the config\'s local stage at an emulator (a loopback endpoint, or a host in POSTBOX_EMULATOR_HOSTS) and its deployed stage elsewhere.')
    .action(async (_options: { local?: boolean }, command: Command) => {
      const options = command.optsWithGlobals<{ local?: boolean; endpoint?: string; region?: string; profile?: string; stage?: string }>();
      // The SDK's default credential chain reads the profile from the environment, as for every command.
      if (options.profile) process.env.AWS_PROFILE = options.profile;
      const project = await config();
      const workers = (await loadWorkers(project)) ?? (needsNoWorkersModule(project.topology) ? workersOfTopology(project.topology) : undefined);
      if (!workers) throw new CliError(`${project.file} names no workers module; add workers: './workers.ts' (export default defineWorkers(...))`, ExitCode.invalidInput);
      const args = command.args;
      const target = { ...(options.region && { region: options.region }) };
      // The worker image sets POSTBOX_STAGE (the --stage default); elsewhere the stage comes from the config, as in every command.
      if (!options.local) {
        const stage = options.stage ?? defaultStage(options.endpoint, project);
        const jobLockTable = workerJobLockTable(project.topology.app, stage, options.endpoint);
        return exit(await runWorkerProcess(workers, args, { ...target, stage, ...(options.endpoint && { endpoint: options.endpoint }), ...(jobLockTable && { jobLockTable }) }));
      }
      // Its own options are checked before the emulator starts: a bad one is said at once, with nothing started.
      const parsed = parseWorkerArgs(args);
      if ('exitCode' in parsed) return exit(parsed.exitCode);
      const stage = options.stage ?? project.stages.local;
      const local = await startLocalEnvironment(resolveTopology(project.topology, { stage }), {
        logger: createLogger({ app: project.topology.app, stage }),
        uniqueJobs: usesUniqueJobs(workers.queues),
      });
      try {
        // The worker process makes its clients from the environment, as in its container.
        exportEndpointEnvironment(local.endpoint);
        exit(await runWorkerProcess(workers, args, { ...target, endpoint: local.endpoint, stage, ...(local.jobLockTable && { jobLockTable: local.jobLockTable }) }));
      } finally {
        await local.stop();
      }
    });
}

/**
 * The job lock table of `postbox worker` without --local: POSTBOX_JOB_LOCK_TABLE, else, against a deployed stage,
 * that stage's table, in which its ECS tasks lock: a lock of this process alone would let a unique job run here and
 * there at once. At an emulator, none (locks within the process) unless set.
 */
export function workerJobLockTable(app: string, stage: string, endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const deployed = !isEmulatorEndpoint(endpoint ?? env.AWS_ENDPOINT_URL, env);
  return env[DEPLOYED_ENVIRONMENT.jobLockTable] ?? (deployed ? jobLockTableName(resourcePrefix(app, stage)) : undefined);
}
