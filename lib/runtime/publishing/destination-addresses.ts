import { ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { clientTarget, credentialsAccount } from '../../aws/aws-clients.ts';
import { QueueDoesNotExistError } from '../../aws/aws-errors.ts';
import { callAws, queueUrlOf } from '../../aws/call-aws.ts';
import { DEPLOYED_ENVIRONMENT, USER_ENVIRONMENT } from '../../messages/wire-contract.ts';
import { DestinationAddressError, DestinationNotFoundError } from './publish-errors.ts';
import type { Destination } from './publish-requests.ts';

/** Topic ARNs by topic name, and queue URLs by queue id, known ahead. */
export interface Routes {
  readonly topicArns?: Readonly<Record<string, string>>;
  readonly queueUrls?: Readonly<Record<string, string>>;
}

/** The account and region a topology's topics and queues live in. */
export interface AwsLocation {
  readonly account: string;
  readonly region: string;
}

export interface DestinationAddressesOptions {
  /** Addresses known ahead; they win over everything. @default none */
  readonly routes?: Routes;
  /** Account of the topics and queues. @default POSTBOX_ACCOUNT_ID, else the account the credentials name */
  readonly account?: string;
  /** Region of the topics and queues. @default the SNS client's region */
  readonly region?: string;
}

/** ARN partition and domain of a region's partition. Regions of other partitions (ISO) have no public scheme here: routes give their addresses. */
function partitionOf(region: string): { readonly partition: string; readonly domain: string } | undefined {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) || /^[a-z]{2}-iso/.test(region)) return undefined;
  if (region.startsWith('cn-')) return { partition: 'aws-cn', domain: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', domain: 'amazonaws.com' };
  return { partition: 'aws', domain: 'amazonaws.com' };
}

/** What keeps an account or region from being part of an address; empty when both can be. */
export function locationProblems({ account, region }: Partial<AwsLocation>): string[] {
  return [
    ...(account !== undefined && !/^\d{12}$/.test(account) ? [`account '${account}' is not an AWS account id (12 digits)`] : []),
    ...(region !== undefined && partitionOf(region) === undefined ? [`region '${region}' is not a region of the aws, aws-cn or aws-us-gov partitions`] : []),
  ];
}

function checked(destination: string, location: AwsLocation) {
  const [problem] = locationProblems(location);
  if (problem !== undefined) throw new DestinationAddressError(destination, problem);
  return partitionOf(location.region)!;
}

/** `arn:<partition>:sns:<region>:<account>:<name>`, the ARN SNS gives a topic of that name. */
export function topicArn(name: string, location: AwsLocation): string {
  const { partition } = checked(`topic ${name}`, location);
  return `arn:${partition}:sns:${location.region}:${location.account}:${name}`;
}

/** `https://sqs.<region>.<domain>/<account>/<name>`, the URL SQS gives a queue of that name. */
export function queueUrl(name: string, location: AwsLocation): string {
  const { domain } = checked(`queue ${name}`, location);
  return `https://sqs.${location.region}.${domain}/${location.account}/${name}`;
}

/**
 * Where each topic and queue of the topology lives. On AWS the address is made
 * from its physical name, account and region, without a call, so a publisher
 * needs only sns:Publish and sqs:SendMessage. At a local endpoint (an emulator,
 * which grants everything) it is looked up by name, so that it names the
 * emulator's own account and endpoint. `routes` win over both. An address is
 * remembered once found; a failure is not, so the next send tries again.
 */
export class DestinationAddresses {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly sns: SNSClient,
    private readonly sqs: SQSClient,
    private readonly options: DestinationAddressesOptions = {},
  ) {}

  of(destination: Destination): Promise<string> {
    const { routes } = this.options;
    const given = destination.kind === 'topic' ? routes?.topicArns?.[destination.id] : routes?.queueUrls?.[destination.id];
    if (given) return Promise.resolve(given);
    // By physical name: one sender (the outbox relay) may hold records of several stages for one topic id.
    const key = `${destination.kind}:${destination.name}`;
    let address = this.cache.get(key);
    if (address === undefined) {
      address = this.find(destination).catch((error: unknown) => {
        this.cache.delete(key);
        throw error;
      });
      this.cache.set(key, address);
    }
    return address;
  }

  private async find({ kind, name }: Destination): Promise<string> {
    const target = kind === 'topic' ? await clientTarget(this.sns, 'SNS') : await clientTarget(this.sqs, 'SQS');
    if (target.localEndpoint !== undefined) return kind === 'topic' ? this.findTopicArn(name) : this.findQueueUrl(name);
    const account = this.options.account ?? process.env[DEPLOYED_ENVIRONMENT.accountId] ?? (await credentialsAccount(kind === 'topic' ? this.sns : this.sqs));
    if (account === undefined) {
      throw new DestinationAddressError(`${kind} ${name}`, `the AWS account is not known: set ${DEPLOYED_ENVIRONMENT.accountId} or use credentials that name their account ` +
          `(at an emulator whose host is not loopback, such as LocalStack at http://localstack:4566, name its host in ${USER_ENVIRONMENT.emulatorHosts})`);
    }
    const location = { account, region: this.options.region ?? target.region };
    return kind === 'topic' ? topicArn(name, location) : queueUrl(name, location);
  }

  private async findTopicArn(name: string): Promise<string> {
    let NextToken: string | undefined;
    do {
      const page = await callAws(() => this.sns.send(new ListTopicsCommand({ NextToken })), { topic: name });
      const match = page.Topics?.find((topic) => topic.TopicArn?.endsWith(`:${name}`));
      if (match) return match.TopicArn!;
      NextToken = page.NextToken;
    } while (NextToken);
    throw new DestinationNotFoundError(`topic ${name}`, 'deploy the stack (or provision the topology locally) for this stage, or pass its ARN in routes.topicArns');
  }

  private async findQueueUrl(name: string): Promise<string> {
    try {
      return await queueUrlOf(this.sqs, name);
    } catch (error) {
      if (error instanceof QueueDoesNotExistError) {
        throw new DestinationNotFoundError(`queue ${name}`, 'deploy the stack (or provision the topology locally) for this stage, or pass its URL in routes.queueUrls', error);
      }
      throw error;
    }
  }
}
