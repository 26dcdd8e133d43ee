import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { awsEndpointOf } from '../../lib/topology/http-handler-declaration.ts';
import { EndpointRejectedError } from '../../lib/runtime/consuming/http-delivery/http-delivery-outcome.ts';
import { httpEndpointHandler, verifySignature } from '../../lib/runtime/consuming/http-delivery/http-endpoint-handler.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import type { HandlerContext } from '../../lib/runtime/consuming/handler-context.ts';

const envelope = { specversion: '1.0', id: 'm-1', type: 'payment.captured', source: 'payments', time: '2026-12-05T12:00:00Z', data: { paymentId: 'p-1' } } as unknown as Envelope;
const context = { messageId: 'sqs-1' } as HandlerContext;
const whsec = (text: string) => `whsec_${Buffer.from(text).toString('base64')}`;

interface Request {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

/** A loopback endpoint that answers what `answer` says for each request it receives. */
async function endpoint(answer: (request: Request) => Promise<number> | number): Promise<string> {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', async () => response.writeHead(await answer({ method: request.method!, path: request.url!, headers: request.headers, body })).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/events?source=postbox`;
}

/**
 * What API Gateway's IAM authorizer does, with the SDK's own signer and the credentials the tests run with
 * (AWS_ACCESS_KEY_ID=test): recomputes the signature over the signed headers it names and compares.
 */
async function signatureIsRight(request: Request, region: string, service: string): Promise<boolean> {
  const authorization = String(request.headers.authorization);
  const shape = /^AWS4-HMAC-SHA256 Credential=test\/(\d{8})\/([a-z0-9-]+)\/([a-z-]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!shape || shape[2] !== region || shape[3] !== service) return false;
  const signedHeaders = shape[4]!.split(';');
  expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
  const [path, query = ''] = request.path.split('?');
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signer = new SignatureV4({ service, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: Sha256 });
  const host = String(request.headers.host);
  const recomputed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: host.split(':')[0]!,
      path: path!,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers: Object.fromEntries(signedHeaders.map((name) => [name, String(request.headers[name])])),
      body: request.body,
    },
    { signingDate },
  );
  return recomputed.headers.authorization === authorization;
}

describe('SigV4 signing, for an API behind IAM', () => {
  it('signs each POST with the default credential chain so that the receiver, recomputing it, accepts it', async () => {
    const received: Request[] = [];
    const url = await endpoint(async (request) => {
      received.push(request);
      return (await signatureIsRight(request, 'eu-west-1', 'execute-api')) ? 204 : 403;
    });
    const deliver = httpEndpointHandler({ url, sigv4: { region: 'eu-west-1' } });
    await deliver(envelope, context);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toEqual(envelope);
    expect(received[0]!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
  });

  it('is refused, and the message dead-lettered, when the signature is not the one the receiver computes', async () => {
    const url = await endpoint(async (request) => ((await signatureIsRight(request, 'eu-west-1', 'execute-api')) ? 204 : 403));
    const deliver = httpEndpointHandler({ url, sigv4: { region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'not the one' } } });
    await expect(deliver(envelope, context)).rejects.toBeInstanceOf(EndpointRejectedError);
  });

  it("reads the service and region of an execute-api URL and a Lambda function URL from its host", () => {
    expect(awsEndpointOf(new URL('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/events'))).toEqual({ service: 'execute-api', region: 'eu-west-1' });
    expect(awsEndpointOf(new URL('https://abcdefghij.lambda-url.us-east-2.on.aws/'))).toEqual({ service: 'lambda', region: 'us-east-2' });
    expect(awsEndpointOf(new URL('https://ledger.internal/events'))).toBeUndefined();
  });
});

describe('HMAC signing with a secret that rotates', () => {
  it('asks a secret source before each delivery, so a rotated secret signs the next one', async () => {
    const first = whsec('the first secret of 32 bytes ok!');
    const second = whsec('the second secret, 32 bytes, ok!');
    let current = first;
    const verifiedWith: string[] = [];
    const url = await endpoint(async (request) => {
      for (const [name, secret] of [['first', first], ['second', second]] as const) {
        const ok = await verifySignature({ headers: request.headers, body: request.body }, secret).then(() => true, () => false);
        if (ok) verifiedWith.push(name);
      }
      return 204;
    });
    const deliver = httpEndpointHandler({ url, secret: { value: async () => current } });
    await deliver(envelope, context);
    current = second;
    await deliver(envelope, context);
    expect(verifiedWith).toEqual(['first', 'second']);
  });
});
