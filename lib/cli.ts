/**
 * `postbox/cli`: the `postbox` command's main, for launchers (the package's bin, a service's own scripts). The worker
 * process's entry is `postbox/worker`.
 */
export { postboxMain } from './cli/postbox-main.ts';
export { runCli } from './cli/postbox-cli.ts';
export type { CliIo } from './cli/cli-context.ts';
