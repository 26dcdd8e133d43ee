import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig, type AwsClientOptions } from './aws-client-config.ts';

export type { AwsClientOptions } from './aws-client-config.ts';

/** The SNS and SQS clients Postbox talks through. */
export interface AwsClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = awsClientConfig(options);
  return { sns: new SNSClient(config), sqs: new SQSClient(config) };
}
