/**
 * The AWS list prices `postbox cost` uses: us-east-1, on-demand, before any free tier, in US dollars. One dated
 * table, so that updating them is one edit. They were read from the services' public pricing pages (named beside
 * each) as of the date below, not fetched by Postbox: check them before relying on a figure.
 */
export const AWS_PRICES = {
  region: 'us-east-1',
  asOf: '2025-06-01',
  /** https://aws.amazon.com/vpc/pricing/ */
  natGatewayPerHour: 0.045,
  /** https://aws.amazon.com/vpc/pricing/ (public IPv4 addresses, in use or idle) */
  publicIpv4PerHour: 0.005,
  /** https://aws.amazon.com/privatelink/pricing/ (interface endpoint, per Availability Zone) */
  interfaceEndpointPerAzHour: 0.01,
  /** https://aws.amazon.com/fargate/pricing/ (Linux) */
  fargate: {
    ARM64: { perVcpuHour: 0.03238, perGbHour: 0.00356 },
    X86_64: { perVcpuHour: 0.04048, perGbHour: 0.004445 },
  },
  /** https://aws.amazon.com/cloudwatch/pricing/ (standard resolution, per metric an alarm reads) */
  alarmMetricPerMonth: 0.1,
  /** https://aws.amazon.com/cloudwatch/pricing/ (the first 3 dashboards of an account are free) */
  dashboardPerMonth: 3,
  /** https://aws.amazon.com/kms/pricing/ (customer-managed key) */
  kmsKeyPerMonth: 1,
  /** https://aws.amazon.com/sns/pricing/ (per 64 KiB chunk published; deliveries to SQS are free) */
  snsPublishPerMillion: 0.5,
  /** https://aws.amazon.com/sqs/pricing/ (per 64 KiB chunk of a request) */
  sqsPerMillion: { standard: 0.4, fifo: 0.5 },
  /** https://aws.amazon.com/lambda/pricing/ */
  lambda: { requestsPerMillion: 0.2, perGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 } },
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (write and read request units) */
  dynamodbOnDemand: { writesPerMillion: 0.625, readsPerMillion: 0.125 },
} as const;

/** Hours in a month, as AWS's pricing calculator counts them. */
export const HOURS_PER_MONTH = 730;
