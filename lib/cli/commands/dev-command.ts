import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { loadProjectConfig, loadWorkers, serviceConfigFile, type ProjectConfig } from '../../config/load-project-config.ts';
import { checkContracts } from '../../topology/contract-checks.ts';
import type { StartDemo } from '../../local/demo-context.ts';
import { startLocalSystem } from '../../local/local-system.ts';
import { redriveDeadLetters } from '../../operations/redrive-dead-letters.ts';
import { queueStatuses } from '../../operations/queue-status.ts';
import { createLogger } from '../../runtime/observability/logger.ts';
import { resolveTopology } from '../../topology/resolve-topology.ts';
import { Publisher } from '../../runtime/publishing/publisher.ts';
import type { CliIo } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { integerOption } from '../cli-option-parsers.ts';
import { formatTable } from '../table-format.ts';
import { USER_ENVIRONMENT } from '../../messages/wire-contract.ts';

interface DevOptions {
  readonly demo?: boolean;
  readonly endpoint?: string;
  readonly provision: boolean;
  readonly stage?: string;
  readonly consolePort?: number;
  readonly quiet?: boolean;
  readonly with: string[];
}

/**
 * `postbox dev` (`npm start`): the service on this machine. The embedded emulator (or --endpoint), every
 * handler running, the console, and a live view; Ctrl-C stops it with nothing lost. Runs until a signal.
 */
export function registerDev(program: Command, config: () => Promise<ProjectConfig>, io: CliIo): void {
  program
    .command('dev')
    .description('run the service locally: emulator, Lambda handlers, workers, console, live view')
    .option('--demo', "publish the config's demo traffic (dev.demo)")
    .option('--no-provision', 'do not create the topology at --endpoint (it is provisioned already)')
    .addOption(new Option('--console-port <port>', "port of the console, 0 for any free one (default: the config's dev.consolePort)").argParser(integerOption({ min: 0, max: 65_535, unit: 'port' })))
    .option('--quiet', 'no live view; handler logs only')
    .option('--with <dir>', "run another service beside this one, same emulator and stage: its directory or config file (repeatable; adds to the config's dev.with)", (value: string, previous: string[]) => [...previous, value], [])
    .addHelpText('after', "\nWith the global --endpoint, runs against that endpoint (LocalStack) instead of the embedded emulator; the global --stage defaults to the config's local stage.")
    .action(async (options: DevOptions, command: Command) => {
      // Every other service's config is found before anything starts: a wrong path is one line, exit 2.
      const withFiles = options.with.map((given) => {
        try {
          return serviceConfigFile(given);
        } catch (error) {
          throw new CliError(`--with ${given}: ${(error as Error).message}`, ExitCode.invalidInput);
        }
      });
      const project = await config();
      const others = await Promise.all([...project.dev.with.map((given) => serviceConfigFile(given)), ...withFiles].map((file) => loadProjectConfig({ file })));
      await runDev(project, others, command.optsWithGlobals<DevOptions>(), io);
      // Runs until a signal stops it.
      await new Promise(() => undefined);
    });
}

async function runDev(project: ProjectConfig, others: readonly ProjectConfig[], options: DevOptions, io: CliIo): Promise<void> {
  const stage = options.stage ?? project.stages.local;
  const topology = resolveTopology(project.topology, { stage });
  const services = await Promise.all(
    others
      .filter((other) => other.file !== project.file)
      .map(async (other) => {
        return {
          declaration: other.topology,
          topology: resolveTopology(other.topology, { stage }),
          root: other.root,
          workers: (await loadWorkers(other))?.queues ?? {},
          outbox: other.outbox,
        };
      }),
  );
  // What synthesis checks against the publishers' contracts, checked here too: warnings printed, problems stop it.
  for (const service of [{ declaration: project.topology, topology }, ...services]) {
    const { problems, warnings } = checkContracts(service.declaration, service.topology);
    for (const warning of warnings) io.err(`postbox: warning: ${warning}`);
    if (problems.length > 0) throw new CliError(`${service.topology.app} does not match its publishers' contracts: ${problems.join('; ')}`, ExitCode.invalidInput);
  }
  if (options.demo && !project.dev.demoModule) throw new CliError(`${project.file} names no demo module; add dev: { demo: './demo.ts' } or leave out --demo`, ExitCode.invalidInput);
  const workerQueues = (await loadWorkers(project))?.queues ?? {};
  // Handler logs would scroll the live view away: they go to a file unless --quiet.
  const logFile = path.join(project.root, '.postbox-local.log');
  if (!options.quiet) process.env[USER_ENVIRONMENT.logFile] = logFile;
  const logger = createLogger({ app: project.topology.app, stage: topology.stage });
  const system = await startLocalSystem(project.topology, {
    topology,
    ...(options.endpoint && { endpoint: options.endpoint }),
    provision: options.provision,
    workers: workerQueues,
    projectRoot: project.root,
    consolePort: options.consolePort ?? project.dev.consolePort,
    outbox: project.outbox,
    with: services,
    logger,
  });
  // Ctrl-C is taken care of before the user is told to press it.
  let demo: { stop(): void } | undefined;
  let view: NodeJS.Timeout | undefined;
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      io.out('\nStopping: no new receives; running handlers finish and settle...');
      demo?.stop();
      if (view) clearInterval(view);
      void system.stop().then(() => {
        io.out('Stopped: every running handler finished and settled its messages.');
        process.exit(0);
      });
    });
  }

  io.out(`Postbox is running against ${system.endpoint} (stage ${stage}): ${[project.topology, ...services.map((service) => service.declaration)].map((service) => service.app).join(', ')}.`);
  if (system.console) io.out(`Console: ${system.console.url}`);
  if (!options.quiet) io.out(`Handler logs and metrics: ${logFile}`);
  io.out('Ctrl-C stops it; messages in flight return to their queues.');

  if (options.demo) {
    const start = ((await import(pathToFileURL(project.dev.demoModule!).href)) as { default: StartDemo }).default;
    demo = start({
      publisher: new Publisher(project.topology, { stage, source: 'demo', sns: system.clients.sns, sqs: system.clients.sqs }),
      sns: system.clients.sns,
      sqs: system.clients.sqs,
      topicArns: system.topicArns,
      redrive: async (queue) => redriveDeadLetters(system.clients.sqs, await system.directory.address(queue), { filter: {}, max: 100 }),
      onError: (error) => logger.error('demo traffic failed', { error }),
    });
  }

  view = options.quiet
    ? undefined
    : setInterval(async () => {
        try {
          const rows = await queueStatuses(system.directory, system.cloudwatch);
          const rates = system.rates();
          const table = formatTable(
            ['queue', 'waiting', 'in flight', 'delayed', 'handled/s', 'DLQ'],
            rows.map((row) => [row.name, String(row.visible), String(row.inFlight), String(row.delayed), (rates[row.queue] ?? 0).toFixed(1), String(row.deadLetters)]),
            (index) => rows[index]!.deadLetters > 0,
          );
          const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : '\n';
          io.out(`${clear}Postbox local · ${system.endpoint}${system.console ? ` · console ${system.console.url}` : ''} · ${new Date().toLocaleTimeString()}\n\n${table}`);
        } catch (error) {
          io.out(`live view: ${(error as Error).message}`);
        }
      }, 2000);
}
