import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsClientOptions {
  /**
   * Endpoint of an AWS-compatible server (moto, LocalStack, ElasticMQ).
   * @default AWS_ENDPOINT_URL, else the real AWS endpoints
   */
  readonly endpoint?: string;
  /**
   * Region.
   * @default AWS_REGION, else the SDK's own resolution (profile, instance metadata)
   */
  readonly region?: string;
  /**
   * Static credentials (an emulator's).
   * @default the SDK's default credential chain
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The SNS and SQS clients Postbox talks through. */
export interface AwsClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = {
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.region && { region: options.region }),
    ...(options.credentials && { credentials: options.credentials }),
  };
  return { sns: new SNSClient(config), sqs: new SQSClient(config) };
}
