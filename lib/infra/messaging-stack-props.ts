import type { StackProps } from 'aws-cdk-lib';
import type { StageProfile } from '../config/stage-profile.ts';
import type { TopologyDeclaration } from '../topology/topology-declaration.ts';
import type { MessagingOverrides } from './cdk-overrides.ts';
import type { WorkerServiceProps } from './worker-service.ts';

export interface MessagingStackProps extends StackProps {
  /** The application's topology: every topic, queue and handler is built from it. */
  readonly topology: TopologyDeclaration<any, any, any, any, any, any>;
  /** Stage such as `dev` or `prod`; part of every resource name. */
  readonly stage: string;
  /**
   * What the stage is for, which decides what it pays for while idle (docs/deploying.md). `development`: alarms on
   * lost messages only (dead letters, untyped publishes) and no dashboard; the AWS-managed key `alias/aws/sns` on topics no other account subscribes to;
   * workers from zero tasks to one, in public subnets with no NAT gateway, without Container Insights. `workers`
   * props given here win over the profile's.
   * @default 'production' (createMessagingApp passes the config's profile of the stage, `development` unless named)
   */
  readonly profile?: StageProfile;
  /**
   * E-mail address that receives the alarms.
   * @default none: subscribe to the alarm topic yourself
   */
  readonly alarmEmail?: string;
  /**
   * Directory that the handlers' `entry` paths and `workersModule` are relative to, and that the worker
   * bundle's imports resolve from (`postbox` in its node_modules).
   * @default the current working directory
   */
  readonly projectRoot?: string;
  /**
   * Module whose default export is `defineWorkers(...)` (the config's `workers`): what the worker image
   * runs. At synthesis it is bundled with the worker process by esbuild into the image's build context,
   * under the cloud assembly's directory. Required when the topology has worker handlers and the stack is
   * bundled (`cdk synth`, `cdk deploy`; not `cdk destroy` or a stack that `-e` leaves out).
   * @default none
   */
  readonly workersModule?: string;
  /**
   * The topology's module (the config's `topology`, `file.ts` or `file.ts#name`): what the worker image runs when no
   * `workersModule` is given and every worker queue is of kind http, which the topology alone says how to run.
   * @default none
   */
  readonly topologyModule?: string;
  /**
   * Settings of the Fargate service that runs the worker handlers (built only if the topology has any).
   * @default one task when idle, up to 10, scaling out from 10 messages per task, waiting or in flight
   */
  readonly workers?: Omit<WorkerServiceProps, 'queues' | 'imageDirectory' | 'environment' | 'jobLocks'>;
  /**
   * Builds the transactional outbox (`<app>-<stage>-outbox`): its table, the stream relay that publishes what is
   * written to it, its alarms and dashboard row. Grant writers with `outbox.grantWrite`. A stack prop, not part of
   * the topology: the topology is the contract other services read, and how this service stores its outgoing
   * messages is none of theirs (a service with its own outbox store leaves it off).
   * @default false
   */
  readonly outbox?: boolean;
  /**
   * Builds what messages for later than SQS delays need (`at`, or a delay past 15 minutes; docs/scheduling.md): an
   * EventBridge Scheduler group `<app>-<stage>`, the role its schedules deliver with, and their dead-letter queue,
   * watched by an alarm; functions and tasks find them in POSTBOX_SCHEDULE_GROUP and the like. Grant publishers
   * with `grantSchedule`.
   * @default false
   */
  readonly schedules?: boolean;
  /**
   * Splits the subscribers' and command handlers' resources into this many nested stacks (QueueGroupStack),
   * for topologies past what one stack holds (CloudFormation's 500 resources: about 28 Lambda subscribers). Each
   * handler goes to its declared `stackGroup`, else to a bucket of a hash of its name, so adding a handler changes
   * its own group's stack only and no resource moves; pick a count once, with room (about 15 handlers a group),
   * as changing it moves most handlers. Grouped handlers get one queue policy each and compact alarms.
   *
   * Switching an existing single stack to groups replaces its queues (new logical ids in new stacks, same
   * names): deploy it as a new stage or app instead, or stay single.
   * @default none: every resource in this stack, as before
   */
  readonly stackGroups?: number;
  /**
   * The CDK's own props merged over Postbox's, for every topic, queue, dead-letter queue and Lambda function, and
   * per handler by its name (`handlers: { billing: { functionProps: { reservedConcurrentExecutions: 5 } } }`). What
   * Postbox owns (names, encryption, TLS, redrive, what the topology declares) is refused with an OwnedPropertyError.
   * @default none
   */
  readonly overrides?: MessagingOverrides;
}
