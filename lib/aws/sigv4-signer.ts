import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { awsEndpointOf } from '../topology/http-handler-declaration.ts';

/** A POST to sign: the body and the headers it is sent with. */
export interface SignableRequest {
  readonly url: URL;
  readonly timestamp: Date;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigV4Options {
  /** @default the URL's region for API Gateway and Lambda function URLs, else AWS_REGION */
  readonly region?: string;
  /** The signing name. @default `lambda` for a Lambda function URL, else `execute-api` */
  readonly service?: string;
  /** @default the default provider chain (the task role on Fargate, refreshed before it expires) */
  readonly credentials?: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
}

/** AWS Signature V4 with the SDK's own signer, for an API behind IAM (API Gateway's AWS_IAM authorizer, a function URL). */
export function sigV4Signer(url: URL, options: SigV4Options = {}): (request: SignableRequest) => Promise<Record<string, string>> {
  const known = awsEndpointOf(url);
  const signer = (async () => {
    const [{ SignatureV4 }, { Sha256 }, { defaultProvider }] = await Promise.all([import('@smithy/signature-v4'), import('@smithy/core/checksum'), import('@aws-sdk/credential-provider-node')]);
    return new SignatureV4({
      service: options.service ?? known?.service ?? 'execute-api',
      region: options.region ?? known?.region ?? process.env.AWS_REGION ?? 'us-east-1',
      credentials: options.credentials ?? defaultProvider(),
      sha256: Sha256,
    });
  })();
  return async ({ url: target, timestamp, headers, body }) => {
    const signed = await (await signer).sign(
      {
        method: 'POST',
        protocol: target.protocol,
        hostname: target.hostname,
        ...(target.port && { port: Number(target.port) }),
        path: target.pathname,
        query: Object.fromEntries(target.searchParams),
        // fetch sends the same host header itself; the signature covers it.
        headers: { ...headers, host: target.host },
        body,
      },
      { signingDate: timestamp },
    );
    const { host: _host, ...added } = signed.headers;
    for (const name of Object.keys(headers)) delete added[name];
    return added;
  };
}

