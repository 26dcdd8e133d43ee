import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig, type AwsClientOptions } from './aws-client-config.ts';
import { endpointUrl } from './aws-errors.ts';
import { isEmulatorEndpoint } from './local-endpoint.ts';

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

/** Where a client's requests go: its region, and the endpoint it was given if an emulator answers there. */
export interface ClientTarget {
  readonly region: string;
  /** An emulator's endpoint (moto, fauxqs, LocalStack): loopback, or a host in POSTBOX_EMULATOR_HOSTS. */
  readonly localEndpoint?: string;
}

/**
 * Reads a client's target from its configuration, without a request. The SDK reads
 * AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL only when it sends, hence read here too.
 */
export async function clientTarget(client: SNSClient | SQSClient, service: 'SNS' | 'SQS'): Promise<ClientTarget> {
  const given = await client.config.endpoint?.();
  const endpoint = given ? endpointUrl(given) : (process.env[`AWS_ENDPOINT_URL_${service}`] ?? process.env.AWS_ENDPOINT_URL);
  return { region: await client.config.region(), ...(endpoint && isEmulatorEndpoint(endpoint) && { localEndpoint: endpoint }) };
}

/**
 * The account a client's credentials name (SSO, assumed roles, profiles or AWS_ACCOUNT_ID), without a request;
 * undefined when they name none or cannot be had (the first send then fails with the SDK's own error).
 */
export async function credentialsAccount(client: SNSClient | SQSClient): Promise<string | undefined> {
  return client.config.credentials().then(
    (credentials) => credentials.accountId,
    () => undefined,
  );
}
