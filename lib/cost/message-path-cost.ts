import type { ResolvedQueue, ResolvedTopology } from '../topology/resolved-topology.ts';
import { AWS_PRICES, HOURS_PER_MONTH } from './aws-prices.ts';
import type { CloudFormationTemplate } from './cloudformation-template.ts';
import { fixedMonthlyCost, type CostItem } from './fixed-monthly-cost.ts';

/** What one path of messages costs: the requests one message makes on it, and a million messages' price. */
export interface MessagePathCost {
  /** `order.placed → notifications (lambda)`. */
  readonly path: string;
  /** Billed requests per message: SNS publishes, SQS requests, Lambda invocations, DynamoDB write units. */
  readonly perMessage: { readonly snsPublishes: number; readonly sqsRequests: number; readonly lambdaInvocations: number; readonly dynamodbWrites: number };
  /** Dollars per million messages through this path. */
  readonly perMillion: number;
}

export interface PathAssumptions {
  /** How long a Lambda invocation of a full batch runs. Measure yours (CloudWatch Duration) and pass it. */
  readonly lambdaBatchMilliseconds: number;
}

/** A long poll waits 20 s when the queue is empty: three receives a minute for each poll kept open. */
const EMPTY_RECEIVES_PER_MONTH = 3 * 60 * HOURS_PER_MONTH;
/**
 * Long polls Lambda keeps open on an idle queue in on-demand mode. AWS does not publish the figure; five is the
 * number of pollers it starts with and the usual reading of an idle event source's SQS bill.
 */
export const LAMBDA_IDLE_POLLERS = 5;

/**
 * The cost of each path a message takes, per million messages, as the runtime makes its requests: a publish to
 * SNS (deliveries to SQS are free for SNS but each is an SQS request), or a send to SQS; then the consumer's
 * receives and deletes per batch (Lambda's event source and the polling worker both take up to 10 per receive and
 * delete a batch at once), Lambda's invocations and GB-seconds per batch, and an idempotent queue's two DynamoDB
 * writes (claim, then the result). Batches are assumed full; retries and dead-letters are not counted.
 */
export function messagePathCosts(topology: ResolvedTopology, assumptions: PathAssumptions): MessagePathCost[] {
  const paths: MessagePathCost[] = [];
  for (const queue of topology.queues) {
    for (const type of queue.messageTypes) {
      const published = queue.role === 'subscriber';
      paths.push(pathCost(`${type} → ${queue.id} (${queue.handler.kind})`, queue, published, assumptions));
    }
  }
  return paths;
}

/**
 * The polling worker's SQS requests per message, as `npm run bench` measured them (2026-12-05: 0.27 at concurrency 10
 * without read-ahead, 0.31 with a read-ahead of 10, 0.26 at 50): it receives as slots free, so its receives are
 * seldom full, and deletes in batches. A worker of concurrency below 10 receives and deletes in smaller batches still.
 */
export const WORKER_SQS_REQUESTS_PER_MESSAGE = 0.31;

/**
 * The SQS requests a consumer makes per message it receives and settles: for Lambda's event source one receive and
 * one delete per full batch of its batch size (up to 10); for the polling worker the measured figure above, or one
 * receive and one delete per batch of its concurrency when that is smaller. `npm run bench` measures both paths
 * against this figure.
 */
export function consumerSqsRequestsPerMessage(handler: ResolvedQueue['handler']): number {
  if (handler.kind === 'lambda') return 2 / Math.min(handler.batchSize, 10);
  return Math.max(WORKER_SQS_REQUESTS_PER_MESSAGE, 2 / Math.min(handler.concurrency, 10));
}

function pathCost(path: string, queue: ResolvedQueue, published: boolean, assumptions: PathAssumptions): MessagePathCost {
  const handler = queue.handler;
  // Sent (by SNS or the publisher), then what the consumer asks of SQS.
  const sqsRequests = 1 + consumerSqsRequestsPerMessage(handler);
  const lambdaInvocations = handler.kind === 'lambda' ? 1 / handler.batchSize : 0;
  const gbSeconds = handler.kind === 'lambda' ? ((handler.memoryMb / 1024) * (assumptions.lambdaBatchMilliseconds / 1000)) / handler.batchSize : 0;
  const dynamodbWrites = queue.idempotency ? 2 : 0;
  const snsPublishes = published ? 1 : 0;
  const sqsPrice = queue.fifo ? AWS_PRICES.sqsPerMillion.fifo : AWS_PRICES.sqsPerMillion.standard;
  const perMillion =
    snsPublishes * AWS_PRICES.snsPublishPerMillion +
    sqsRequests * sqsPrice +
    lambdaInvocations * AWS_PRICES.lambda.requestsPerMillion +
    gbSeconds * 1_000_000 * AWS_PRICES.lambda.perGbSecond.arm64 +
    dynamodbWrites * AWS_PRICES.dynamodbOnDemand.writesPerMillion;
  return { path, perMessage: { snsPublishes, sqsRequests, lambdaInvocations, dynamodbWrites }, perMillion: Math.round(perMillion * 100) / 100 };
}

/**
 * The receives an idle stage still pays for: Lambda's pollers on each Lambda queue, and each worker task's long
 * polls (one per 10 messages of a queue's concurrency).
 */
export function idlePollingCost(topology: ResolvedTopology, workerTasks: number): CostItem {
  let polls = 0;
  for (const queue of topology.queues) {
    if (queue.handler.kind === 'lambda') polls += queue.handler.provisionedPollers?.minimum ?? LAMBDA_IDLE_POLLERS;
    else polls += workerTasks * Math.ceil(queue.handler.concurrency / 10);
  }
  const receives = polls * EMPTY_RECEIVES_PER_MONTH;
  const unitPrice = (EMPTY_RECEIVES_PER_MONTH * AWS_PRICES.sqsPerMillion.standard) / 1_000_000;
  return {
    item: `empty long polls (${polls} open at a time, ${(receives / 1_000_000).toFixed(1)} M receives)`,
    count: polls,
    unitPrice: Math.round(unitPrice * 100) / 100,
    monthly: Math.round(polls * unitPrice * 100) / 100,
    note: `the first million SQS requests of an account are free; ${LAMBDA_IDLE_POLLERS} pollers assumed per Lambda queue`,
  };
}

/** What an idle stage is billed for that Postbox has no price of: said beside the total, never counted in it as free. */
export interface UnpricedCost {
  readonly item: string;
  /** Units billed a month. */
  readonly count: number;
  readonly note: string;
}

/**
 * The event pollers of the Lambda queues in provisioned mode: their `minimum` is billed around the clock, at a price
 * per poller-hour that the stored price list does not hold (docs/topology.md, "Provisioned pollers").
 */
export function unpricedIdleCosts(topology: ResolvedTopology): UnpricedCost[] {
  const provisioned = topology.queues.flatMap((queue) =>
    queue.handler.kind === 'lambda' && queue.handler.provisionedPollers ? [{ id: queue.id, minimum: queue.handler.provisionedPollers.minimum }] : [],
  );
  if (provisioned.length === 0) return [];
  const pollers = provisioned.reduce((sum, queue) => sum + queue.minimum, 0);
  return [
    {
      item: `provisioned event poller-hours (${provisioned.map((queue) => `${queue.id} ${queue.minimum}`).join(', ')} kept ready)`,
      count: pollers * HOURS_PER_MONTH,
      note: "not in the total: billed around the clock at Lambda's price per event poller-hour (aws.amazon.com/lambda/pricing)",
    },
  ];
}

/** A stage's idle month, item by item, and its total: what its templates bill by the hour, and its empty long polls. */
export function idleMonthlyCost(templates: readonly CloudFormationTemplate[], topology: ResolvedTopology): { items: CostItem[]; monthly: number } {
  const fixed = fixedMonthlyCost(templates);
  const workerTasks = fixed.filter((item) => item.item.startsWith('Fargate task')).reduce((sum, item) => sum + item.count, 0);
  const items = [...fixed, idlePollingCost(topology, workerTasks)];
  return { items, monthly: Math.round(items.reduce((sum, item) => sum + item.monthly, 0) * 100) / 100 };
}
