import { describe, expect, it } from 'vitest';
import { endpointClientOptions, isEmulatorEndpoint } from '../../lib/aws/local-endpoint.ts';

describe('isEmulatorEndpoint', () => {
  it.each([
    'http://127.0.0.1:4566',
    'http://127.1.2.3:4566',
    'http://127.1:4566',
    'http://localhost:4566',
    'http://LOCALHOST.:4566',
    'http://sqs.localhost:4566',
    'http://[::1]:4566',
    'http://[0:0:0:0:0:0:0:1]:4566',
    'http://[::ffff:127.0.0.1]:4566',
  ])('takes the loopback endpoint %s for an emulator', (endpoint) => {
    expect(isEmulatorEndpoint(endpoint, {})).toBe(true);
  });

  it.each([
    'https://sqs.us-east-1.amazonaws.com',
    'https://sqs.us-east-1.amazonaws.com.',
    'https://sqs.eusc-de-east-1.amazonaws.eu',
    'https://sqs.us-iso-east-1.c2s.ic.gov',
    'https://sqs.us-isob-east-1.sc2s.sgov.gov',
    'https://vpce-0123-abcd.sqs.eu-west-1.vpce.amazonaws.com',
    'http://localstack:4566',
    'http://localhost.example.com:4566',
    'http://127.0.0.1.nip.io:4566',
    'not a url',
  ])('takes %s for AWS, since nobody said it is an emulator', (endpoint) => {
    expect(isEmulatorEndpoint(endpoint, {})).toBe(false);
  });

  it('takes a host named in POSTBOX_EMULATOR_HOSTS for an emulator, and only that host', () => {
    const env = { POSTBOX_EMULATOR_HOSTS: ' LocalStack , sqs-mock.internal.' };
    expect(isEmulatorEndpoint('http://localstack:4566', env)).toBe(true);
    expect(isEmulatorEndpoint('https://sqs-mock.internal', env)).toBe(true);
    expect(isEmulatorEndpoint('http://localstack.example.com:4566', env)).toBe(false);
    expect(isEmulatorEndpoint('https://sqs.us-east-1.amazonaws.com', env)).toBe(false);
    expect(isEmulatorEndpoint(undefined, env)).toBe(false);
  });
});

describe('endpointClientOptions', () => {
  it('defaults the region and credentials at any emulator, a declared one too, and leaves them to the SDK at AWS', () => {
    const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    expect(endpointClientOptions({ endpoint: 'http://127.0.0.1:4566' }, {})).toEqual({ endpoint: 'http://127.0.0.1:4566', ...local });
    expect(endpointClientOptions({}, { AWS_ENDPOINT_URL: 'http://localstack:4566', POSTBOX_EMULATOR_HOSTS: 'localstack' })).toEqual(local);
    expect(endpointClientOptions({ endpoint: 'https://sqs.eusc-de-east-1.amazonaws.eu' }, {})).toEqual({ endpoint: 'https://sqs.eusc-de-east-1.amazonaws.eu' });
  });
});
