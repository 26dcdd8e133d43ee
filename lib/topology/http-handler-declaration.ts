import * as z from 'zod/mini';
import { declarationObject, type OtherShapes } from './declaration-object.ts';
import { TOPOLOGY_DEFAULTS } from './topology-defaults.ts';

const integer = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** Where an `hmac` handler's signing secret comes from: read by the worker, never written into the stack. */
const secretSchema = () => z.union([
  /** A Secrets Manager secret's name or ARN, its value Standard Webhooks' `whsec_…`; the task role may read only it. */
  declarationObject({ secretsManager: z.string().check(z.minLength(1)) }),
  /** An environment variable of the worker holding `whsec_…` (postbox dev, or a secret the task definition injects). */
  declarationObject({ env: z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')) }),
]);

/**
 * A handler that hands each message to a service's HTTP endpoint from the worker (docs/http-endpoints.md): no
 * module of yours runs, the endpoint's answer decides what becomes of the message.
 */
// Strict, as the other kinds: a key of theirs (entry, memoryMb) or a misspelt one is refused, not dropped, and
// `others` says whose it is. Built on first use by topology-schema.ts, as the declaration's other schemas are.
export const buildHttpHandlerSchema = (others?: OtherShapes) => declarationObject({
  kind: z.literal('http'),
  /** The endpoint that takes each message as a `POST` (http:// or https://). */
  url: z.string().check(z.refine(isHttpUrl, 'expected an http:// or https:// URL')),
  /** `hmac`: Standard Webhooks signature with `secret`; `sigv4`: AWS Signature V4 with the task's role, for an API behind IAM. */
  signing: z._default(z.enum(['hmac', 'sigv4']), TOPOLOGY_DEFAULTS.http.signing),
  /** The HMAC secret; required with `hmac` signing, refused with `sigv4`. */
  secret: z.optional(secretSchema()),
  /** Time limit of one message, waits while the endpoint is down included; the heartbeat keeps the message meanwhile. */
  timeoutSeconds: z._default(integer(1, 86_400), TOPOLOGY_DEFAULTS.http.timeoutSeconds),
  /** How long one request may take before it counts as the endpoint unavailable. */
  requestTimeoutSeconds: z._default(integer(1, 900), TOPOLOGY_DEFAULTS.http.requestTimeoutSeconds),
  /** Requests in flight to the endpoint at once (and messages one worker holds for it). */
  concurrency: z._default(integer(1, 1000), TOPOLOGY_DEFAULTS.http.concurrency),
  /** Unavailable answers in a row that stop deliveries, and for how long before one tries again. */
  breaker: z._default(
    declarationObject({
      failuresToOpen: z._default(integer(1, 1000), TOPOLOGY_DEFAULTS.http.breaker.failuresToOpen),
      openSeconds: z._default(integer(1, 3600), TOPOLOGY_DEFAULTS.http.breaker.openSeconds),
    }),
    TOPOLOGY_DEFAULTS.http.breaker,
  ),
}, others);

export type HttpHandler = z.output<ReturnType<typeof buildHttpHandlerSchema>>;
export type HttpSecret = NonNullable<HttpHandler['secret']>;

/** The problems of an http handler's settings that its schema alone cannot see; `what` names the handler. */
export function httpHandlerProblems(handler: HttpHandler, what: string): string[] {
  const problems: string[] = [];
  if (handler.signing === 'hmac' && handler.secret === undefined) {
    problems.push(`${what}: hmac signing needs a secret; add secret: { secretsManager: '<name or ARN>' } or { env: 'VARIABLE' }, or use signing: 'sigv4' for an API behind IAM`);
  }
  if (handler.signing === 'sigv4' && handler.secret !== undefined) {
    problems.push(`${what}: sigv4 signing uses the worker's AWS credentials, not a secret; remove secret or use signing: 'hmac'`);
  }
  if (handler.requestTimeoutSeconds > handler.timeoutSeconds) {
    problems.push(`${what}: requestTimeoutSeconds ${handler.requestTimeoutSeconds} s is longer than the message's time limit timeoutSeconds ${handler.timeoutSeconds} s; lower it or raise timeoutSeconds`);
  }
  return problems;
}

/** `<id>.execute-api.<region>.amazonaws.com` and `<id>.lambda-url.<region>.on.aws`: their service and region. */
export function awsEndpointOf(url: URL): { readonly service: 'execute-api' | 'lambda'; readonly region: string } | undefined {
  const match = /^[a-z0-9]+\.(execute-api|lambda-url)\.([a-z0-9-]+)\.(amazonaws\.com|on\.aws)$/.exec(url.hostname);
  if (!match) return undefined;
  return { service: match[1] === 'lambda-url' ? 'lambda' : 'execute-api', region: match[2]! };
}

/**
 * The API and stage an execute-api URL names, and the resource path under them (`https://<api>.execute-api.<region>.
 * amazonaws.com/<stage>/<path>`, a REST API's form): what an IAM policy's `execute-api:Invoke` names.
 */
export function executeApiTarget(url: URL): { readonly region: string; readonly apiId: string; readonly stage: string; readonly path: string } | undefined {
  if (awsEndpointOf(url)?.service !== 'execute-api') return undefined;
  const [stage = '', ...path] = url.pathname.split('/').slice(1);
  if (stage === '') return undefined;
  return { region: awsEndpointOf(url)!.region, apiId: url.hostname.split('.')[0]!, stage, path: path.join('/') };
}
