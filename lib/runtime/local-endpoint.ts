import type { AwsClientOptions } from './aws-client-config.ts';

/** Whether an endpoint is on this machine (an emulator), not AWS. */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  return endpoint !== undefined && /^https?:\/\/(127\.|localhost|\[::1\])/.test(endpoint);
}

/** Whether an endpoint is one of AWS's own (amazonaws.com, amazonaws.com.cn, api.aws), not an emulator. */
export function isAwsEndpoint(endpoint: string): boolean {
  return /(^|\.)(amazonaws\.com(\.cn)?|api\.aws)$/.test(new URL(endpoint).hostname.toLowerCase());
}

export interface EndpointTarget {
  /** @default AWS_ENDPOINT_URL */
  readonly endpoint?: string;
  /** @default AWS_REGION */
  readonly region?: string;
  /** A named profile: its credentials are used, even at a loopback endpoint. @default AWS_PROFILE */
  readonly profile?: string;
}

/**
 * Client options for an endpoint. At a loopback endpoint an emulator answers, which takes any region and any
 * credentials, but the SDK still insists on both: where the environment names none, us-east-1 and dummy keys.
 * Elsewhere the SDK's own resolution (environment, profile, instance metadata) decides.
 */
export function endpointClientOptions(target: EndpointTarget, env: NodeJS.ProcessEnv = process.env): AwsClientOptions {
  const endpoint = target.endpoint ?? env.AWS_ENDPOINT_URL;
  const local = isLoopbackEndpoint(endpoint);
  const region = target.region ?? env.AWS_REGION ?? (local ? 'us-east-1' : undefined);
  const named = env.AWS_ACCESS_KEY_ID || target.profile || env.AWS_PROFILE;
  return {
    ...(target.endpoint && { endpoint: target.endpoint }),
    ...(region && { region }),
    ...(local && !named && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
}
