import { USER_ENVIRONMENT } from '../messages/wire-contract.ts';
import type { AwsClientOptions } from './aws-client-config.ts';

/**
 * Whether an endpoint is an emulator rather than AWS: its host is loopback (localhost or *.localhost,
 * 127.0.0.0/8, ::1), or one the user named in POSTBOX_EMULATOR_HOSTS (LocalStack at http://localstack:4566).
 * Never decided by matching AWS's domains: AWS has more of them than any list keeps (amazonaws.eu,
 * c2s.ic.gov, a trailing dot), and taking AWS for an emulator would provision or look up there.
 */
export function isEmulatorEndpoint(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const host = endpointHost(endpoint);
  if (host === undefined) return false;
  return isLoopbackHost(host) || declaredEmulatorHosts(env).includes(host);
}

/** The endpoint's host name, lower case, without brackets or a trailing dot; undefined when it is no URL. */
function endpointHost(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined || !URL.canParse(endpoint)) return undefined;
  return new URL(endpoint).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** URL has already normalised IPv4 (127.1 → 127.0.0.1) and IPv6 (0:0:0:0:0:0:0:1 → ::1, ::ffff:127.0.0.1 → ::ffff:7f00:1). */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host) || /^::ffff:7f[\da-f]{2}:[\da-f]{1,4}$/.test(host);
}

function declaredEmulatorHosts(env: NodeJS.ProcessEnv): string[] {
  const declared = env[USER_ENVIRONMENT.emulatorHosts] ?? '';
  return declared
    .split(',')
    .map((host) => host.trim().toLowerCase().replace(/\.$/, ''))
    .filter((host) => host !== '');
}

export interface EndpointTarget {
  /** @default AWS_ENDPOINT_URL */
  readonly endpoint?: string;
  /** @default AWS_REGION */
  readonly region?: string;
  /** A named profile: its credentials are used, even at an emulator. @default AWS_PROFILE */
  readonly profile?: string;
}

/**
 * Client options for an endpoint. At an emulator (see isEmulatorEndpoint), which takes any region and any
 * credentials, the SDK still insists on both: where the environment names none, us-east-1 and dummy keys.
 * Elsewhere the SDK's own resolution (environment, profile, instance metadata) decides.
 */
export function endpointClientOptions(target: EndpointTarget, env: NodeJS.ProcessEnv = process.env): AwsClientOptions {
  const endpoint = target.endpoint ?? env.AWS_ENDPOINT_URL;
  const local = isEmulatorEndpoint(endpoint, env);
  const region = target.region ?? env.AWS_REGION ?? (local ? 'us-east-1' : undefined);
  const named = env.AWS_ACCESS_KEY_ID || target.profile || env.AWS_PROFILE;
  return {
    ...(target.endpoint && { endpoint: target.endpoint }),
    ...(region && { region }),
    ...(local && !named && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
}
