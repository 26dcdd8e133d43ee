import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { awsClientConfig } from '../../lib/aws/aws-client-config.ts';
import { SecretUnavailableError, secretsManagerSecret } from '../../lib/aws/secrets-manager-secret.ts';
import type { Envelope } from '../../lib/messages/envelope.ts';
import { declaredHttpHandler } from '../../lib/runtime/consuming/http-delivery/declared-http-handler.ts';
import { verifySignature } from '../../lib/runtime/consuming/http-delivery/http-endpoint-handler.ts';
import type { HandlerContext } from '../../lib/runtime/consuming/handler-context.ts';
import { uniqueStage } from '../helpers/emulator.ts';

const whsec = (text: string) => `whsec_${Buffer.from(text).toString('base64')}`;

// fauxqs has no Secrets Manager; moto has.
describe.skipIf(process.env.POSTBOX_EMULATOR === 'fauxqs')('the HMAC secret read from Secrets Manager', () => {
  const client = new SecretsManagerClient(awsClientConfig({ endpoint: inject('awsEndpoint'), region: 'us-east-1' }));
  const create = async (value: string) => {
    const name = `ledger/${uniqueStage()}`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    return name;
  };

  afterAll(() => vi.unstubAllEnvs());

  it('is read once, used for its time to live, and read again after it so that a rotated secret is picked up', async () => {
    const name = await create('first');
    let clock = 0;
    const secret = secretsManagerSecret(name, { client, ttlSeconds: 60, now: () => clock });
    expect(await secret.value()).toBe('first');
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'second' }));
    clock = 59_000;
    expect(await secret.value()).toBe('first');
    clock = 61_000;
    expect(await secret.value()).toBe('second');
  });

  it('turns a secret that is not there into one SecretUnavailableError that names it and says what to do', async () => {
    const error = await secretsManagerSecret('ledger/never-made', { client }).value().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect(error).toMatchObject({ code: 'SECRET_UNAVAILABLE', secretId: 'ledger/never-made', retryable: true });
    expect((error as Error).message).toMatch(/^cannot read the secret ledger\/never-made from Secrets Manager: ResourceNotFoundException.*Create it/);
  });

  it('signs the deliveries of a topology handler whose secret names it, through the default client', async () => {
    const value = whsec('the ledger secret in secrets mgr');
    const name = await create(value);
    vi.stubEnv('AWS_ENDPOINT_URL', inject('awsEndpoint'));
    const verified: string[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk));
      request.on('end', async () => {
        const envelope = await verifySignature({ headers: request.headers, body }, value).catch(() => undefined);
        if (envelope) verified.push(envelope.id);
        response.writeHead(envelope ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const deliver = declaredHttpHandler('ledger', { kind: 'http', url, signing: 'hmac', secret: { secretsManager: name }, timeoutSeconds: 60, requestTimeoutSeconds: 5, concurrency: 2, breaker: { failuresToOpen: 5, openSeconds: 30 } });
      await deliver({ specversion: '1.0', id: 'm-1', type: 'ledger.record', data: {} } as unknown as Envelope, { messageId: 'sqs-1' } as HandlerContext);
      expect(verified).toEqual(['m-1']);
    } finally {
      server.close();
    }
  });
});
