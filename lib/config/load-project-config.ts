import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyTopology } from '../messages/message-types.ts';
import { USER_ENVIRONMENT } from '../messages/wire-contract.ts';
import type { WorkerDefinitions } from '../runtime/consuming/workers/define-workers.ts';
import { ConfigError } from './config-error.ts';
import { moduleLoadProblem } from './module-load-problem.ts';
import { postboxConfigSchema, type PostboxConfig } from './postbox-config.ts';
import { loadTopologyModule } from './topology-module.ts';

/** The file names a project's config may have, in the order they are looked for. */
export const CONFIG_FILE_NAMES = ['postbox.config.ts', 'postbox.config.mts', 'postbox.config.mjs', 'postbox.config.js'] as const;

/** A project's `postbox.config.ts`, validated, with its module paths made absolute and its topology loaded. */
export interface ProjectConfig extends Omit<PostboxConfig, 'topology' | 'workers' | 'dev'> {
  /** Absolute path of the config file. */
  readonly file: string;
  /** The directory of the config file: where `entry` paths, cdk.json and package-lock.json are. */
  readonly root: string;
  /** Absolute path of the topology module (with its `#name`, if any). */
  readonly topologyModule: string;
  readonly topology: AnyTopology;
  /** Absolute path of the workers module. @default none */
  readonly workersModule?: string;
  /** `with`: the absolute paths of the other services' directories or config files, as written. */
  readonly dev: { readonly consolePort: number; readonly demoModule?: string; readonly with: readonly string[] };
}

export interface LoadProjectConfigOptions {
  /** Path of the config file. @default POSTBOX_CONFIG, else the first of CONFIG_FILE_NAMES in `cwd` */
  readonly file?: string;
  /** @default process.cwd() */
  readonly cwd?: string;
}

/** Finds the config file, without loading it. */
export function findConfigFile(options: LoadProjectConfigOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const given = options.file ?? process.env[USER_ENVIRONMENT.config];
  if (given) {
    const file = path.resolve(cwd, given);
    if (!existsSync(file)) throw new ConfigError('CONFIG_NOT_FOUND', `config file ${file} does not exist`);
    return file;
  }
  const found = CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((file) => existsSync(file));
  if (!found) {
    throw new ConfigError('CONFIG_NOT_FOUND', `no postbox.config.ts in ${cwd}; run postbox in your service's directory, pass --config, or create one with postbox init`);
  }
  return found;
}

/** The config file of a service given by its directory or its config file (`--with`, `dev.with`). */
export function serviceConfigFile(given: string, cwd: string = process.cwd()): string {
  const resolved = path.resolve(cwd, given);
  if (existsSync(resolved) && statSync(resolved).isDirectory()) {
    const found = CONFIG_FILE_NAMES.map((name) => path.join(resolved, name)).find((file) => existsSync(file));
    if (!found) throw new ConfigError('CONFIG_NOT_FOUND', `no postbox.config.ts in ${resolved}; name a service's directory or its config file`);
    return found;
  }
  if (!existsSync(resolved)) throw new ConfigError('CONFIG_NOT_FOUND', `${resolved} does not exist; name a service's directory or its config file`);
  return resolved;
}

/** Loads, validates (every problem at once) and resolves a project's config, and loads its topology. */
export async function loadProjectConfig(options: LoadProjectConfigOptions = {}): Promise<ProjectConfig> {
  const file = findConfigFile(options);
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new ConfigError('CONFIG_INVALID', `cannot load ${file}: ${moduleLoadProblem(error, file)}`, { cause: error });
  }
  const config = parseConfig(module.default, file);
  const root = path.dirname(file);
  const topology = await loadTopologyModule(config.topology, root);
  const { topology: topologyReference, workers, dev, ...rest } = config;
  return {
    ...rest,
    file,
    root,
    topologyModule: path.resolve(root, topologyReference),
    topology,
    ...(workers && { workersModule: path.resolve(root, workers) }),
    dev: { consolePort: dev.consolePort, ...(dev.demo && { demoModule: path.resolve(root, dev.demo) }), with: dev.with.map((other) => path.resolve(root, other)) },
  };
}

/** Validates a config's default export; one error lists every problem with its path. */
export function parseConfig(value: unknown, file: string): PostboxConfig {
  if (value === undefined) throw new ConfigError('CONFIG_INVALID', `${file} has no default export; export default defineConfig({ ... })`);
  const parsed = postboxConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  throw new ConfigError('CONFIG_INVALID', `${file} is invalid: ${problems.join('; ')}`);
}

/**
 * Loads the workers module of a config: its default export, made by defineWorkers. `instance` loads a module of
 * its own (a test system's per stage), so what the module makes as it loads (a Publisher) reads this environment.
 */
export async function loadWorkers(config: ProjectConfig, instance?: string): Promise<WorkerDefinitions | undefined> {
  if (!config.workersModule) return undefined;
  let module: { default?: unknown };
  try {
    const url = pathToFileURL(config.workersModule);
    if (instance) url.searchParams.set('postbox-instance', instance);
    module = await import(url.href);
  } catch (error) {
    throw new ConfigError('CONFIG_INVALID', `cannot load the workers from ${config.workersModule}: ${moduleLoadProblem(error, config.workersModule)}`, { cause: error });
  }
  const workers = module.default as Partial<WorkerDefinitions> | undefined;
  if (!workers || typeof workers !== 'object' || !workers.topology || !workers.queues) {
    throw new ConfigError('CONFIG_INVALID', `${config.workersModule} must export default defineWorkers(topology, { ... })`);
  }
  // The worker image runs the workers module alone, with the topology it imports: it must be the one the stack,
  // postbox dev and the tests use, or deployed workers would validate, retry and route by another.
  if (workers.topology !== config.topology) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${config.workersModule} defines workers for topology '${(workers.topology as { app?: string }).app}', not the one ${config.file} names (${config.topologyModule}); pass defineWorkers the topology that module exports`,
    );
  }
  return workers as WorkerDefinitions;
}
