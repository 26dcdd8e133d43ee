import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';

/** The stage of whatever is given none and finds no POSTBOX_STAGE: the config's deployed stage by default, too. */
export const DEFAULT_STAGE = 'dev';

/**
 * The one rule for the stage of the runtime (a Publisher, a consumer, the worker process): the stage given, else
 * POSTBOX_STAGE (which every stack, `postbox dev` and the test system set for the code they run), else `dev`.
 * The CLI chooses its default at the edge, from the config, and passes it down.
 */
export function stageOf(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return given ?? (env[DEPLOYED_ENVIRONMENT.stage] || undefined) ?? DEFAULT_STAGE;
}
