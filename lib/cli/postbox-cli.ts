import { Command, CommanderError, Option } from 'commander';
import { MessageError } from '../messages/message-errors.ts';
import { DEPLOYED_ENVIRONMENT, USER_ENVIRONMENT } from '../messages/wire-contract.ts';
import { UnknownQueueError } from '../operations/queue-directory.ts';
import { AwsCallError, QueueDoesNotExistError, translateAwsError } from '../aws/aws-errors.ts';
import { DeliveryError, DestinationNotFoundError } from '../runtime/publishing/publish-errors.ts';
import { OutboxStoreUnavailableError, OutboxTableNotFoundError, SendDeadLetterFileInvalidError } from '../runtime/publishing/outbox/outbox-errors.ts';
import { SendDeadLetterFileNotFoundError } from '../operations/send-dead-letter-source.ts';
import { TopologyError } from '../topology/topology-error.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadProjectConfig } from '../config/load-project-config.ts';
import { CliContext, type CliIo, type GlobalOptions } from './cli-context.ts';
import { CliError, ExitCode } from './cli-error.ts';
import { endpointOption, stageOption } from './cli-option-parsers.ts';
import { registerDev } from './commands/dev-command.ts';
import { registerCost } from './commands/cost-command.ts';
import { registerDocs } from './commands/docs-command.ts';
import { registerDlqExport } from './commands/dlq-export-command.ts';
import { oneLine } from './one-line.ts';
import { registerDlqPurge } from './commands/dlq-purge-command.ts';
import { registerDlqRedrive } from './commands/dlq-redrive-command.ts';
import { registerDlqShow } from './commands/dlq-show-command.ts';
import { registerInit } from './commands/init-command.ts';
import { registerOutboxReplay } from './commands/outbox-replay-command.ts';
import { registerOutboxShow } from './commands/outbox-show-command.ts';
import { registerProvision } from './commands/provision-command.ts';
import { registerPublish } from './commands/publish-command.ts';
import { registerStatus } from './commands/status-command.ts';
import { registerTail } from './commands/tail-command.ts';
import { registerWorker } from './commands/worker-command.ts';

/**
 * `postbox`: operate the queues of a topology, against AWS or a local
 * emulator alike. Resolves to the exit code; every failure is one line on
 * stderr, never a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('postbox')
    .description('Run a Postbox service locally, and operate the queues and dead-letter queues of its topology.')
    .addOption(new Option('--endpoint <url>', 'AWS-compatible endpoint, http(s)://host[:port] (default: AWS_ENDPOINT_URL, else AWS)').argParser(endpointOption))
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile)')
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE)')
    .option('--config <file>', `the project config (default: ${USER_ENVIRONMENT.config}, else postbox.config.ts here)`)
    .addOption(
      new Option('--stage <stage>', `stage of the topology (default: ${DEPLOYED_ENVIRONMENT.stage}, else the config's local stage at an emulator: a loopback endpoint, or a host in ${USER_ENVIRONMENT.emulatorHosts}; its deployed stage elsewhere)`)
        .default(process.env[DEPLOYED_ENVIRONMENT.stage])
        .argParser(stageOption),
    )
    .option('--topology <module>', `module that exports the topology, file.ts or file.ts#name (default: ${USER_ENVIRONMENT.topology}, else the config's)`, process.env[USER_ENVIRONMENT.topology])
    .option('--json', 'print JSON for scripts')
    .exitOverride()
    // A command's help lists the options every command takes too (--stage, --json, ...), where its users look.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
      // Commander's usage errors in the voice of every other error: `postbox: ...`, one line.
      outputError: (text, write) => write(`postbox: ${text.replace(/^error: /, '').trim()}`),
    })
    .addHelpText('after', '\nExit codes: 0 ok, 1 partly failed, 2 invalid input, 3 not found, 4 endpoint unreachable or AWS error.');
  const config = () => loadProjectConfig(program.opts<GlobalOptions>().config ? { file: program.opts<GlobalOptions>().config! } : {});
  const context = () => CliContext.create(program.opts<GlobalOptions>(), io, config);
  registerInit(program, io);
  registerDev(program, config, io);
  // A long-running command (the worker) ends with an exit code of its own.
  let commandExitCode: number = ExitCode.ok;
  registerWorker(program, config, (code) => (commandExitCode = code));
  registerProvision(program, config, io);
  registerStatus(program, context);
  registerCost(program, config, io);
  const dlq = program.command('dlq').description('inspect, redrive, export and purge dead-letter queues');
  registerDlqShow(dlq, context);
  registerDlqRedrive(dlq, context);
  registerDlqPurge(dlq, context);
  registerDlqExport(dlq, context);
  requireSubcommand(dlq);
  const outbox = program.command('outbox').description("inspect and replay the send dead-letter: messages the outbox relay or a publisher could not send");
  registerOutboxShow(outbox, context);
  registerOutboxReplay(outbox, context, (code) => (commandExitCode = code));
  requireSubcommand(outbox);
  registerPublish(program, context);
  registerTail(program, context);
  registerDocs(program, context);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return commandExitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.invalidInput;
    }
    const { message, exitCode } = describeFailure(error, program.opts<GlobalOptions>());
    // One line, whatever the error's message holds: scripts and people read the first line of stderr.
    io.err(`postbox: ${oneLine(message)}`);
    return exitCode;
  }
}

/** A command group run without one of its commands, or with an unknown one: one line and exit 2, not its help. */
function requireSubcommand(group: Command): void {
  const names = group.commands.map((command) => command.name());
  group.argument('[command]').action((given: string | undefined) => {
    const choices = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
    throw new CliError(
      given === undefined
        ? `${group.name()} needs a command: ${choices} (postbox ${group.name()} --help says what each does)`
        : `${group.name()} has no command '${given}'; use ${choices}`,
      ExitCode.invalidInput,
    );
  });
}

function describeFailure(error: unknown, options: GlobalOptions): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: ExitCode.invalidInput };
  if (error instanceof UnknownQueueError || error instanceof QueueDoesNotExistError) return { message: error.message, exitCode: ExitCode.notFound };
  if (error instanceof TopologyError) return { message: error.message, exitCode: ExitCode.invalidInput };
  if (error instanceof OutboxTableNotFoundError || error instanceof SendDeadLetterFileNotFoundError) return { message: error.message, exitCode: ExitCode.notFound };
  if (error instanceof SendDeadLetterFileInvalidError) return { message: error.message, exitCode: ExitCode.invalidInput };
  if (error instanceof OutboxStoreUnavailableError) return { message: error.message, exitCode: ExitCode.unavailable };
  if (error instanceof DeliveryError && error.cause instanceof DestinationNotFoundError) return { message: error.message, exitCode: ExitCode.notFound };
  if (error instanceof DeliveryError) return { message: error.message, exitCode: ExitCode.unavailable };
  if (error instanceof MessageError) {
    return { message: error.message, exitCode: error.code === 'UNKNOWN_MESSAGE_TYPE' ? ExitCode.notFound : ExitCode.invalidInput };
  }
  const translated = translateAwsError(error, { endpoint: options.endpoint ?? process.env.AWS_ENDPOINT_URL ?? 'AWS' });
  if (translated instanceof AwsCallError) return { message: translated.message, exitCode: ExitCode.unavailable };
  return { message: translated.message, exitCode: ExitCode.partialFailure };
}
