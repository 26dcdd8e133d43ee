import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { postboxDependencySpec, postboxPackage } from '../../init/postbox-package.ts';
import { writeScaffold } from '../../init/write-scaffold.ts';
import { resourceNamePattern } from '../../topology/topology-schema.ts';
import type { CliIo } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';

interface InitOptions {
  readonly dir?: string;
  readonly force?: boolean;
  readonly postbox?: string;
  readonly install: boolean;
}

/** `postbox init <name>`: a new service, ready to test, run and synthesize. */
export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init <name>')
    .description('create a new service on Postbox: config, topology, handlers, CDK app, a test, a README')
    .option('--dir <path>', 'directory to create it in (default: ./<name>)')
    .option('--force', 'write into a directory that is not empty (files of the same name are replaced)')
    .option('--postbox <spec>', "the new package.json's dependency on postbox (default: how this postbox was installed)")
    .option('--no-install', 'do not run npm install in the new directory')
    .action((name: string, options: InitOptions) => runInit(name, options, io));
}

/** 80 (SQS's longest queue name) less `-reports-delivery-dlq` (21) and a stage of up to 17 characters with its hyphens. */
const MAX_SERVICE_NAME_LENGTH = 40;

function runInit(name: string, options: InitOptions, io: CliIo): void {
  if (!resourceNamePattern.test(name)) {
    throw new CliError(`'${name}' cannot name a service: use lower-case letters, digits and hyphens, starting with a letter (it names the app's queues and topics)`, ExitCode.invalidInput);
  }
  if (name.length > MAX_SERVICE_NAME_LENGTH) {
    throw new CliError(
      `'${name}' is ${name.length} characters, over the ${MAX_SERVICE_NAME_LENGTH} a service name may have: its longest queue name, <name>-<stage>-reports-delivery-dlq, must stay within SQS's 80 for stages of up to 17 characters`,
      ExitCode.invalidInput,
    );
  }
  const directory = path.resolve(options.dir ?? name);
  if (existsSync(directory) && !(statSync(directory).isDirectory() && (options.force || readdirSync(directory).length === 0))) {
    throw new CliError(`${directory} is not an empty directory; choose another with --dir, or pass --force to write into it`, ExitCode.invalidInput);
  }
  const postbox = postboxPackage();
  const files = writeScaffold(path.join(postbox.root, 'templates', 'service'), {
    name,
    directory,
    postbox,
    postboxSpec: options.postbox ?? postboxDependencySpec(postbox),
  });
  io.out(`Created ${name} in ${directory}: ${files.join(', ')}.`);
  if (options.install) {
    io.out('Installing its dependencies (npm install)...');
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: directory, stdio: 'inherit', shell: process.platform === 'win32' });
    if (npm.status !== 0) {
      throw new CliError(`npm install failed in ${directory} (${npm.error?.message ?? `exit ${npm.status}`}); fix what it said and run npm install there`, ExitCode.unavailable);
    }
  }
  const relative = path.relative(process.cwd(), directory) || '.';
  io.out(`Next: cd ${relative}${options.install ? '' : ' && npm install'} && npm test && npm start`);
}
