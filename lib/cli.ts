/** `postbox/cli`: the `postbox` command's main, for launchers (the package's bin, a service's own scripts). */
export { postboxMain } from './cli/postbox-main.ts';
export { runCli } from './cli/postbox-cli.ts';
export type { CliIo } from './cli/cli-context.ts';
