import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PostboxError } from '../postbox-error.ts';
import { callAws, queueUrlOf } from '../aws/call-aws.ts';
import type { ResolvedQueue, ResolvedTopology } from '../topology/resolve-topology.ts';

/** A queue of the topology with its addresses at the endpoint. */
export interface QueueAddress {
  readonly queue: ResolvedQueue;
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
  readonly deadLetterArn: string;
}

/** A queue name that the topology does not declare. */
export class UnknownQueueError extends PostboxError {
  readonly code = 'UNKNOWN_QUEUE';
}

/**
 * Where the topology's queues are at one endpoint: their URLs and ARNs, looked up
 * by name. What the CLI and the local console share; knows nothing of either.
 */
export class QueueDirectory {
  constructor(
    readonly topology: ResolvedTopology,
    readonly sqs: SQSClient,
    /** The endpoint as a person recognises it, for messages. */
    readonly where: string,
  ) {}

  /** The queue of a logical name (`billing`, `invoice-generate`) or physical name. */
  queue(name: string): ResolvedQueue {
    const queue = this.topology.queues.find((candidate) => candidate.id === name || candidate.name === name);
    if (!queue) {
      throw new UnknownQueueError(`unknown queue '${name}'; the queues of ${this.topology.app} are ${this.topology.queues.map((q) => q.id).join(', ')}`);
    }
    return queue;
  }

  /** Looks up a queue's and its DLQ's URL and ARN at the endpoint; a QueueDoesNotExistError names one not there. */
  async address(name: string): Promise<QueueAddress> {
    const queue = this.queue(name);
    const [main, deadLetter] = await Promise.all([this.lookUp(queue.name), this.lookUp(queue.deadLetterQueueName)]);
    return { queue, url: main.url, arn: main.arn, deadLetterUrl: deadLetter.url, deadLetterArn: deadLetter.arn };
  }

  private async lookUp(name: string): Promise<{ url: string; arn: string }> {
    const context = { endpoint: this.where, stage: this.topology.stage };
    const url = await queueUrlOf(this.sqs, name, context);
    const { Attributes } = await callAws(() => this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })), { ...context, queue: name });
    return { url, arn: Attributes!.QueueArn! };
  }
}
