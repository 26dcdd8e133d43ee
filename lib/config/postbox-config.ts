import * as z from 'zod';
import { unknownKeysError, type OtherShapes } from '../topology/declaration-object.ts';
import { resourceNamePattern, topologySchema } from '../topology/topology-schema.ts';
import { DEFAULT_STAGE } from '../topology/stage-of.ts';
import { STAGE_PROFILES } from './stage-profile.ts';

const modulePath = z.string().min(1, 'expected the path of a module, relative to postbox.config.ts');
const stageName = z.string().regex(resourceNamePattern, 'use lower-case letters, digits and hyphens, starting with a letter');

/** z.strictObject whose refusal of an unknown key lists the keys it takes, as the topology's parts do. */
function configObject<const S extends z.core.$ZodLooseShape>(shape: S, others?: OtherShapes) {
  return z.strictObject(shape, { error: unknownKeysError(Object.keys(shape), others) });
}

/** An alarm e-mail address, in the config and in `-c alarmEmail=...` alike. */
export const alarmEmailSchema = z.email();

/**
 * What `postbox.config.ts` declares: one file that every entry point reads (`cdk synth` and `cdk deploy`,
 * `postbox dev`, `postbox worker`, `postbox provision`, the other `postbox` commands, the worker image and
 * `postbox/testing`). Module paths are relative to the config file.
 */
export const postboxConfigSchema = configObject(
  {
    /** Module that exports the topology: its default export, the one export that is a topology, or `file.ts#name`. */
    topology: modulePath,
    /**
     * Module whose default export is `defineWorkers(topology, { ... })`: the handlers of the worker queues.
     * The worker image bundles it. Required when the topology has worker handlers.
     * @default none
     */
    workers: modulePath.optional(),
    /** The stages the entry points use when none is given. */
    stages: configObject({
      /**
       * Stage of everything local: `postbox dev`, `postbox worker --local`, `postbox provision`, and the
       * commands given an emulator's `--endpoint` (loopback, or a host in POSTBOX_EMULATOR_HOSTS).
       * @default 'local'
       */
      local: stageName.default('local'),
      /**
       * Stage that `cdk synth` and `cdk deploy` build (unless `-c stage=...`), and that the commands
       * address at AWS.
       * @default 'dev'
       */
      deployed: stageName.default(DEFAULT_STAGE),
      /**
       * The cost profile of each deployed stage (docs/deploying.md): `production` keeps every alarm, customer-managed
       * keys and workers always ready; `development` idles near zero. A stage not named here is `development`.
       * @default {}: every stage development
       */
      profiles: z
        .record(z.string(), z.enum(STAGE_PROFILES))
        // Checked here rather than as the record's key schema, whose error names neither the key nor the rule.
        .superRefine((profiles, context) => {
          for (const stage of Object.keys(profiles)) {
            if (!resourceNamePattern.test(stage)) context.addIssue({ code: 'custom', path: [stage], message: `'${stage}' is not a stage name: use lower-case letters, digits and hyphens, starting with a letter` });
          }
        })
        .default({}),
    }).prefault({}),
    /**
     * E-mail address the deployed stack's alarms go to (`-c alarmEmail=...` overrides).
     * @default none: subscribe to the alarm topic yourself
     */
    alarmEmail: alarmEmailSchema.optional(),
    /**
     * Run cdk-nag's AwsSolutions checks on every synthesis, failing it on an unacknowledged finding.
     * @default true
     */
    cdkNag: z.boolean().default(true),
    /**
     * The transactional outbox (docs/outbox.md): `cdk deploy` builds its table and stream relay, and `postbox dev` and
     * `postbox/testing` provision the table and relay it by polling.
     * @default false
     */
    outbox: z.boolean().default(false),
    /**
     * Messages for later than SQS delays (`at`, or a delay past 15 minutes; docs/scheduling.md): `cdk deploy` builds an
     * EventBridge Scheduler group, the role its schedules deliver with and their dead-letter queue. `postbox dev` and
     * `postbox/testing` deliver them on the local system's clock either way.
     * @default false
     */
    schedules: z.boolean().default(false),
    /**
     * Split the handlers' resources into this many nested stacks (docs/big-topologies.md): each handler goes to its
     * `stackGroup`, or to a stable hash bucket of its name, so adding one changes only its group. Choose it once: changing
     * it moves handlers between groups, which replaces their queues. Needed past about 25 Lambda handlers, where one
     * stack reaches CloudFormation's 500 resources.
     * @default none: one stack
     */
    stackGroups: z.int().min(1, 'expected at least 1 stack group').optional(),
    /** What `postbox dev` runs besides the handlers. */
    dev: configObject({
      /**
       * Port of the local console; 0 picks a free one.
       * @default 8787
       */
      consolePort: z.int().min(0).max(65_535).default(8787),
      /**
       * Module whose default export starts demo traffic (`postbox dev --demo`): `(context) => { stop() }`.
       * @default none
       */
      demo: modulePath.optional(),
      /**
       * Other services `postbox dev` runs beside this one, against the same emulator and stage (a subscriber of
       * this service's topics, a publisher this one subscribes to): their directories or config files.
       * @default none
       */
      with: z.array(z.string().min(1, "expected a service's directory or config file, relative to postbox.config.ts")).default([]),
    }).prefault({}),
  },
  // A key of the topology written here (`subscribers`) is told where it belongs.
  () => [['a key of the topology (its module is `topology`)', Object.keys(topologySchema()._zod.def.shape)]],
);

/** `postbox.config.ts` as written. */
export type PostboxConfigInput = z.input<typeof postboxConfigSchema>;
/** `postbox.config.ts` with its defaults applied. */
export type PostboxConfig = z.output<typeof postboxConfigSchema>;

/**
 * Declares a project's `postbox.config.ts` (its default export), typed; `loadProjectConfig` validates it.
 *
 * @example
 * // postbox.config.ts
 * import { defineConfig } from 'postbox';
 *
 * export default defineConfig({
 *   topology: './src/shop-topology.ts',
 *   workers: './src/shop-workers.ts',
 *   stages: { local: 'local', deployed: 'dev' },
 *   alarmEmail: 'ops@example.com',
 * });
 */
export function defineConfig(config: PostboxConfigInput): PostboxConfigInput {
  return config;
}
