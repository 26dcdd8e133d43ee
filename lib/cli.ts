/**
 * `postbox/cli`: the process entries, for launchers: the `postbox` command's main (the package's bin, a service's own
 * scripts) and the worker process's (the worker image's entry).
 */
export { postboxMain } from './cli/postbox-main.ts';
export { runCli } from './cli/postbox-cli.ts';
export type { CliIo } from './cli/cli-context.ts';
export { runWorkerProcess, type WorkerProcessEnvironment } from './runtime/consuming/workers/worker-process.ts';
