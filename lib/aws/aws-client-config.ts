import { endpointClientOptions } from './local-endpoint.ts';

/**
 * The configuration of every AWS SDK client Postbox makes. It lives apart from
 * aws-clients.ts, which loads the SNS and SQS SDKs, so that code loading an SDK
 * lazily (a Lambda handler's queue actions) can use it without loading them.
 */
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
  /**
   * The longest long-poll wait (`WaitTimeSeconds`) a receive through these clients asks for: each request
   * times out `REQUEST_TIMEOUT_MARGIN_SECONDS` after it, and the SDK retries it (3 attempts in all).
   * @default 20, SQS's maximum
   */
  readonly longPollSeconds?: number;
}

/** How long a request may take beyond its long-poll wait: generous, since a receive that times out after SQS answered hides its messages. */
export const REQUEST_TIMEOUT_MARGIN_SECONDS = 5;
/** An endpoint that does not accept a connection in this long is taken as down. */
export const CONNECTION_TIMEOUT_MS = 3000;

/**
 * Client configuration with request timeouts, so a black-holed endpoint fails requests instead of hanging them. At an
 * emulator's endpoint (given, or AWS_ENDPOINT_URL) a client given no region or credentials gets the emulators'
 * (`endpointClientOptions`), so that a Publisher, an outbox store or a consumer made with defaults reaches it as the
 * CLI does.
 */
export function awsClientConfig(options: AwsClientOptions = {}) {
  const local = endpointClientOptions({ ...(options.endpoint && { endpoint: options.endpoint }) });
  const region = options.region ?? local.region;
  const credentials = options.credentials ?? local.credentials;
  return {
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(region && { region }),
    ...(credentials && { credentials }),
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: ((options.longPollSeconds ?? 20) + REQUEST_TIMEOUT_MARGIN_SECONDS) * 1000,
      // Without it the SDK only logs a warning when the request timeout passes.
      throwOnRequestTimeout: true,
    },
  };
}
