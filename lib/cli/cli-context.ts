import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AnyTopology } from '../messages/message-types.ts';
import { awsClientConfig } from '../aws/aws-client-config.ts';
import { createAwsClients, type AwsClients } from '../aws/aws-clients.ts';
import { endpointClientOptions, isEmulatorEndpoint } from '../aws/local-endpoint.ts';
import { QueueDirectory } from '../operations/queue-directory.ts';
import { resolveTopology, type ResolvedTopology } from '../topology/resolve-topology.ts';
import { loadProjectConfig, type ProjectConfig } from '../config/load-project-config.ts';
import { loadTopologyModule } from '../config/topology-module.ts';
import { DEFAULT_STAGE } from '../topology/stage-of.ts';

/** Where the CLI writes, and what it reads from the user. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Asks a yes/no question; undefined when there is nobody to ask (no TTY). */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Whether stderr is a terminal (progress bars). */
  readonly interactive: boolean;
}

/** The options every command takes, as the AWS CLI spells them. */
export interface GlobalOptions {
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
  /** @default the config's local stage at an emulator (see isEmulatorEndpoint), else its deployed stage */
  readonly stage?: string;
  /** A topology module that replaces the config's. @default the config's */
  readonly topology?: string;
  /** @default postbox.config.ts in the working directory */
  readonly config?: string;
  readonly json?: boolean;
}

/** What a command works with: the topology, the clients, and how to speak. */
export class CliContext {
  readonly clients: AwsClients;
  readonly cloudwatch: CloudWatchClient;
  /** The outbox table's. */
  readonly dynamodb: DynamoDBClient;
  /** The topology's queues at the endpoint. */
  readonly directory: QueueDirectory;

  private constructor(
    readonly declaration: AnyTopology,
    readonly topology: ResolvedTopology,
    readonly options: GlobalOptions,
    readonly io: CliIo,
  ) {
    // The SDK's default credential chain reads the profile from the environment.
    if (options.profile) process.env.AWS_PROFILE = options.profile;
    const config = awsClientConfig(endpointClientOptions(options));
    this.clients = createAwsClients(config);
    this.cloudwatch = new CloudWatchClient(config);
    this.dynamodb = new DynamoDBClient(config);
    this.directory = new QueueDirectory(topology, this.clients.sqs, this.where());
  }

  /** The context of a command: the topology of --topology or of the config, at the stage asked for or the config's. */
  static async create(options: GlobalOptions, io: CliIo, config?: () => Promise<ProjectConfig>): Promise<CliContext> {
    const project = options.topology && !options.config ? undefined : await (config ?? (() => loadProjectConfig(options.config ? { file: options.config } : {})))();
    const declaration = options.topology ? await loadTopologyModule(options.topology) : project!.topology;
    const stage = options.stage ?? defaultStage(options.endpoint, project);
    return new CliContext(declaration, resolveTopology(declaration, { stage }), options, io);
  }

  get sqs(): SQSClient {
    return this.clients.sqs;
  }

  /** The endpoint, as a user would recognise it. */
  where(): string {
    return this.options.endpoint ?? process.env.AWS_ENDPOINT_URL ?? `AWS (${this.options.region ?? process.env.AWS_REGION ?? 'default region'})`;
  }

  /** Prints data as JSON with --json, else the human text. */
  print(data: unknown, text: () => string): void {
    this.io.out(this.options.json ? JSON.stringify(data, null, 2) : text());
  }
}

/** The config's local stage at an emulator (loopback, or a host in POSTBOX_EMULATOR_HOSTS), its deployed stage elsewhere; `dev` without a config. */
export function defaultStage(endpoint: string | undefined, config: ProjectConfig | undefined): string {
  const target = endpoint ?? process.env.AWS_ENDPOINT_URL;
  if (!config) return DEFAULT_STAGE;
  return isEmulatorEndpoint(target) ? config.stages.local : config.stages.deployed;
}
