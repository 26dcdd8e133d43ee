import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { AwsServiceError, EndpointUnreachableError, OperationUnsupportedError } from '../../lib/aws/aws-errors.ts';
import { callAws } from '../../lib/aws/call-aws.ts';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

// A loopback port nothing listens on: the SDK's own network error, without an emulator.
const closed = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };

describe('callAws', () => {
  it('throws what the SDK threw as a typed error naming what the call was about, the SDK error as its cause', async () => {
    const sdkError = Object.assign(new Error('Value 99 for parameter MaxNumberOfMessages is invalid.'), { name: 'InvalidParameterValue', $fault: 'client' });
    const error = await callAws(() => Promise.reject(sdkError), { queue: 'pay-dev-accounting' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ code: 'AWS_CALL_FAILED', retryable: false, cause: sdkError });
  });

  it('reads a 501 Not Implemented, whatever its name, as an endpoint that does not support the call (an emulator without the service)', async () => {
    const notImplemented = Object.assign(new Error('Unknown'), { name: 'UnknownError', $metadata: { httpStatusCode: 501 } });
    const error = await callAws(() => Promise.reject(notImplemented), { table: 'pay-dev-job-locks' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OperationUnsupportedError);
    expect(error).toMatchObject({ code: 'OPERATION_UNSUPPORTED', retryable: false });
  });

  it('makes the provisioner throw a typed error naming the topic it was making when the endpoint is down', async () => {
    const clients = { sns: new SNSClient(closed), sqs: new SQSClient(closed) };
    const error = await provisionTopology(resolveTopology(paymentsTopology, { stage: 'dev' }), clients).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EndpointUnreachableError);
    expect((error as Error).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
    expect((error as EndpointUnreachableError).context.topic).toBe('pay-dev-payments');
  });
});
