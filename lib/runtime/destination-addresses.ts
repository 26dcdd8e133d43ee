import { ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DestinationNotFoundError } from './publish-errors.ts';
import type { Destination } from './publish-requests.ts';

/** Topic ARNs by topic name, and queue URLs by queue id, known ahead. */
export interface Routes {
  readonly topicArns?: Readonly<Record<string, string>>;
  readonly queueUrls?: Readonly<Record<string, string>>;
}

/**
 * Where each topic and queue of the topology lives: given in `routes`, else
 * looked up by its physical name once and remembered. A failed look-up is
 * not remembered, so the next send tries again.
 */
export class DestinationAddresses {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly sns: SNSClient,
    private readonly sqs: SQSClient,
    private readonly routes: Routes = {},
  ) {}

  of(destination: Destination): Promise<string> {
    const given = destination.kind === 'topic' ? this.routes.topicArns?.[destination.id] : this.routes.queueUrls?.[destination.id];
    if (given) return Promise.resolve(given);
    const key = `${destination.kind}:${destination.id}`;
    let address = this.cache.get(key);
    if (address === undefined) {
      address = (destination.kind === 'topic' ? this.findTopicArn(destination.name) : this.findQueueUrl(destination.name)).catch((error: unknown) => {
        this.cache.delete(key);
        throw error;
      });
      this.cache.set(key, address);
    }
    return address;
  }

  private async findTopicArn(name: string): Promise<string> {
    let NextToken: string | undefined;
    do {
      const page = await this.sns.send(new ListTopicsCommand({ NextToken }));
      const match = page.Topics?.find((topic) => topic.TopicArn?.endsWith(`:${name}`));
      if (match) return match.TopicArn!;
      NextToken = page.NextToken;
    } while (NextToken);
    throw new DestinationNotFoundError(`topic ${name}`, 'deploy the stack (or provision the topology locally) for this stage, or pass its ARN in routes.topicArns');
  }

  private async findQueueUrl(name: string): Promise<string> {
    try {
      return (await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
    } catch (error) {
      if ((error as Error).name === 'QueueDoesNotExist' || (error as Error).name === 'AWS.SimpleQueueService.NonExistentQueue') {
        throw new DestinationNotFoundError(`queue ${name}`, 'deploy the stack (or provision the topology locally) for this stage, or pass its URL in routes.queueUrls');
      }
      throw error;
    }
  }
}
