import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyTopology } from '../messages/message-types.ts';
import { awsClientConfig } from '../runtime/aws-client-config.ts';
import { createAwsClients, type AwsClients } from '../runtime/aws-clients.ts';
import { QueueDirectory } from '../operations/queue-directory.ts';
import { resolveTopology, type ResolvedTopology } from '../topology/resolve-topology.ts';
import { CliError, ExitCode } from './cli-error.ts';

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
  readonly stage: string;
  readonly topology: string;
  readonly json?: boolean;
}

/** What a command works with: the topology, the clients, and how to speak. */
export class CliContext {
  readonly clients: AwsClients;
  readonly cloudwatch: CloudWatchClient;
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
    const local = options.endpoint !== undefined && /^https?:\/\/(127\.|localhost|\[::1\])/.test(options.endpoint);
    const region = options.region ?? process.env.AWS_REGION ?? (local ? 'us-east-1' : undefined);
    // An emulator takes any credentials; the SDK still wants some.
    const credentials = local && !process.env.AWS_ACCESS_KEY_ID && !options.profile && !process.env.AWS_PROFILE ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
    const config = awsClientConfig({ ...(options.endpoint && { endpoint: options.endpoint }), ...(region && { region }), ...(credentials && { credentials }) });
    this.clients = createAwsClients(config);
    this.cloudwatch = new CloudWatchClient(config);
    this.directory = new QueueDirectory(topology, this.clients.sqs, this.where());
  }

  static async create(options: GlobalOptions, io: CliIo): Promise<CliContext> {
    return CliContext.forTopology(await loadTopology(options.topology), options, io);
  }

  /** A context for a topology already in hand (the local console). */
  static forTopology(declaration: AnyTopology, options: GlobalOptions, io: CliIo): CliContext {
    return new CliContext(declaration, resolveTopology(declaration, { stage: options.stage }), options, io);
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

/** Loads a topology module: `path/to/file.ts` (its default export or the first export that is a topology) or `file.ts#name`. */
async function loadTopology(reference: string): Promise<AnyTopology> {
  const [file, exportName] = reference.split('#');
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(path.resolve(file!)).href);
  } catch (error) {
    throw new CliError(`cannot load the topology from ${file}: ${(error as Error).message}`, ExitCode.invalidInput);
  }
  const isTopology = (value: unknown): value is AnyTopology =>
    typeof value === 'object' && value !== null && 'app' in value && 'events' in value && 'topics' in value;
  const candidate = exportName ? module[exportName] : [module.default, ...Object.values(module)].find(isTopology);
  if (!isTopology(candidate)) {
    throw new CliError(`${reference} exports no topology${exportName ? ` named '${exportName}'` : ''}; pass --topology file.ts#exportName`, ExitCode.invalidInput);
  }
  return candidate;
}
