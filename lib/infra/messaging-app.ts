import { Annotations, App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { alarmEmailOfContext, stageOfContext } from '../config/cdk-context.ts';
import { loadProjectConfig, type LoadProjectConfigOptions, type ProjectConfig } from '../config/load-project-config.ts';
import { implicitDevelopmentWarning, stageProfileOf, type StageProfile } from '../config/stage-profile.ts';
import { PostboxError } from '../postbox-error.ts';
import { MessagingStack, type MessagingStackProps } from './messaging-stack.ts';
import { StackResourceLimitError } from './resource-limit.ts';
import { stackEnvironment } from './stack-environment.ts';

export interface MessagingAppOptions extends LoadProjectConfigOptions {
  /**
   * The project config, loaded already.
   * @default loaded from postbox.config.ts (see loadProjectConfig)
   */
  readonly config?: ProjectConfig;
  /**
   * The CDK app to add the stack to.
   * @default a new App
   */
  readonly app?: App;
  /** Props of the app, when it is made here. @default none */
  readonly appProps?: AppProps;
  /**
   * The stage's cost profile, over the config's (what `postbox cost` prices the other profile with).
   * @default the config's `stages.profiles` entry of the stage, else `development`
   */
  readonly profile?: StageProfile;
  /**
   * Further props of the stack (its workers' sizing, tags, a termination protection).
   * @default none
   */
  readonly stack?: Omit<MessagingStackProps, 'topology' | 'stage' | 'alarmEmail' | 'projectRoot' | 'workersModule' | 'topologyModule'>;
}

export interface MessagingApp {
  readonly app: App;
  readonly stack: MessagingStack;
  readonly config: ProjectConfig;
  readonly stage: string;
  readonly profile: StageProfile;
}

/**
 * The CDK app of a project, as postbox.config.ts describes it: one MessagingStack named `<app>-<stage>`
 * for the stage of `-c stage=...` (default: the config's deployed stage) with the stage's cost profile, alarms to `-c alarmEmail=...`
 * or the config's, the account and region of `-c account=` and `-c region=` (default: any), the outbox if the config has it, and cdk-nag's
 * AwsSolutions checks on every synthesis unless the config turns them off.
 * @throws StackResourceLimitError when the stack or one of its groups holds more resources than CloudFormation deploys
 */
export async function createMessagingApp(options: MessagingAppOptions = {}): Promise<MessagingApp> {
  const config = options.config ?? (await loadProjectConfig(options));
  const app = options.app ?? new App(options.appProps);
  const stage = stageOfContext(app.node.tryGetContext('stage'), config.stages.deployed);
  const alarmEmail = alarmEmailOfContext(app.node.tryGetContext('alarmEmail')) ?? config.alarmEmail;
  const profile = options.profile ?? stageProfileOf(config.stages.profiles, stage);
  const stack = new MessagingStack(app, `${config.topology.app}-${stage}`, {
    profile,
    ...(config.outbox && { outbox: true }),
    ...(config.schedules && { schedules: true }),
    ...(config.stackGroups !== undefined && { stackGroups: config.stackGroups }),
    ...options.stack,
    topology: config.topology,
    stage,
    projectRoot: config.root,
    ...(config.workersModule && { workersModule: config.workersModule }),
    topologyModule: config.topologyModule,
    ...(alarmEmail && { alarmEmail }),
    env: options.stack?.env ?? stackEnvironment({ account: app.node.tryGetContext('account'), region: app.node.tryGetContext('region') }),
  });
  // Refused here, so that messagingAppMain says it in one line, rather than by synthesis inside the CDK's trace.
  const tooLarge = stack.resourceLimitProblems();
  if (tooLarge.length > 0) throw new StackResourceLimitError(tooLarge);
  const implicitDevelopment = options.profile === undefined ? implicitDevelopmentWarning(config.stages.profiles, stage) : undefined;
  if (implicitDevelopment) Annotations.of(stack).addWarningV2('postbox:implicit-development-profile', implicitDevelopment);
  if (config.cdkNag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config, stage, profile };
}

/**
 * The CDK app's entry, a service's `bin/app.ts`: createMessagingApp, with a problem of the config or of a `-c` value
 * said on stderr as `postbox: ...` and exit code 2, rather than inside a stack trace. Anything else is thrown as is.
 *
 * @example
 * // bin/app.ts
 * import { messagingAppMain } from 'postbox/cdk';
 * await messagingAppMain();
 */
export async function messagingAppMain(options: MessagingAppOptions = {}): Promise<MessagingApp> {
  try {
    return await createMessagingApp(options);
  } catch (error) {
    if (!(error instanceof PostboxError)) throw error;
    process.stderr.write(`postbox: ${error.message}\n`);
    // At once: the half-built app would otherwise be synthesized as the process ends.
    process.exit(2);
  }
}
