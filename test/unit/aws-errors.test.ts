import { QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  AwsConfigurationMissingError,
  AwsServiceError,
  ConditionFailedError,
  endpointOf,
  EndpointUnreachableError,
  ObjectDoesNotExistError,
  OperationUnsupportedError,
  QueueDoesNotExistError,
  ResourceAlreadyExistsError,
  ThrottledError,
  translateAwsError,
} from '../../lib/aws/aws-errors.ts';
import { DeliveryError } from '../../lib/runtime/publishing/publish-errors.ts';

/** An error shaped as the SDK throws it for a service's refusal. */
const sdkError = (name: string, message: string, fault: 'client' | 'server' = 'client', retryable?: object) =>
  Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: fault === 'client' ? 400 : 500 }, ...(retryable && { $retryable: retryable }) });

const local = { endpoint: 'http://127.0.0.1:4566' };

describe('translateAwsError', () => {
  it("makes SQS's missing queue, by either of its names, a QueueDoesNotExistError that names the queue, the endpoint and what to do", () => {
    const modern = new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} });
    for (const error of [modern, sdkError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist')]) {
      const translated = translateAwsError(error, { ...local, queue: 'pay-dev-accounting' });
      expect(translated).toBeInstanceOf(QueueDoesNotExistError);
      expect(translated).toMatchObject({ code: 'QUEUE_DOES_NOT_EXIST', retryable: false, cause: error });
      expect(translated.message).toBe(
        'queue pay-dev-accounting does not exist at http://127.0.0.1:4566; deploy the stack for this stage with cdk deploy, or create it at an emulator with postbox provision',
      );
    }
  });

  it('makes a refused, reset, unknown or timed-out connection an EndpointUnreachableError, from the error or its cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const wrapped = Object.assign(new Error('socket hang up'), { cause: { code: 'ETIMEDOUT' } });
    const translated = translateAwsError(refused, { endpoint: 'http://127.0.0.1:9' });
    expect(translated).toBeInstanceOf(EndpointUnreachableError);
    expect(translated).toMatchObject({ code: 'ENDPOINT_UNREACHABLE', networkCode: 'ECONNREFUSED', retryable: true });
    expect(translated.message).toBe('cannot reach http://127.0.0.1:9 (ECONNREFUSED); check --endpoint, AWS_ENDPOINT_URL or your network');
    expect(translateAwsError(wrapped)).toMatchObject({ code: 'ENDPOINT_UNREACHABLE', networkCode: 'ETIMEDOUT' });
  });

  it('makes a denied call an AccessDeniedError, final, naming the queue and where to look', () => {
    const translated = translateAwsError(sdkError('AccessDenied', 'not authorized to perform sqs:SendMessage'), { queue: 'pay-dev-accounting' });
    expect(translated).toBeInstanceOf(AccessDeniedError);
    expect(translated).toMatchObject({ code: 'ACCESS_DENIED', retryable: false });
    expect(translated.message).toBe(
      'AWS denied access to queue pay-dev-accounting (AccessDenied: not authorized to perform sqs:SendMessage); check the credentials in use (AWS_PROFILE, the role) and that their policies allow the call',
    );
  });

  it('makes throttling a ThrottledError that may be retried, though SNS calls it a client fault', () => {
    const translated = translateAwsError(sdkError('ThrottlingException', 'Rate exceeded', 'client'), { topic: 'pay-dev-payments' });
    expect(translated).toBeInstanceOf(ThrottledError);
    expect(translated).toMatchObject({ code: 'THROTTLED', retryable: true });
    expect(translated.message).toContain('topic pay-dev-payments');
    expect(translateAwsError(sdkError('Throttled', 'slow down'))).toBeInstanceOf(ThrottledError);
  });

  it("makes S3's missing object or bucket an ObjectDoesNotExistError, final, naming the object", () => {
    for (const name of ['NoSuchKey', 'NoSuchBucket', 'NotFound']) {
      const translated = translateAwsError(sdkError(name, 'The specified key does not exist.'), { ...local, object: 's3://b/payloads/k' });
      expect(translated).toBeInstanceOf(ObjectDoesNotExistError);
      expect(translated.message).toBe(`object s3://b/payloads/k does not exist at http://127.0.0.1:4566 (${name}: The specified key does not exist.)`);
      expect((translated as ObjectDoesNotExistError).retryable).toBe(false);
    }
  });

  it("makes a table that exists already a ResourceAlreadyExistsError", () => {
    expect(translateAwsError(sdkError('ResourceInUseException', 'Table already exists'), { table: 'pay-dev-job-locks' })).toBeInstanceOf(ResourceAlreadyExistsError);
  });

  it('makes a failed DynamoDB condition a ConditionFailedError, and an action the emulator lacks an OperationUnsupportedError', () => {
    expect(translateAwsError(sdkError('ConditionalCheckFailedException', 'The conditional request failed'), { table: 'pay-dev-job-locks' })).toBeInstanceOf(ConditionFailedError);
    expect(translateAwsError(sdkError('InvalidAction', 'StartMessageMoveTask is not valid'))).toBeInstanceOf(OperationUnsupportedError);
    expect(translateAwsError(Object.assign(new SyntaxError('bad json'), { $metadata: { httpStatusCode: 200 } }))).toBeInstanceOf(AwsServiceError);
  });

  it('makes a missing region or missing credentials an AwsConfigurationMissingError saying which options give them', () => {
    const noRegion = translateAwsError(new Error('Region is missing'));
    expect(noRegion).toBeInstanceOf(AwsConfigurationMissingError);
    expect(noRegion.message).toBe(
      'no AWS region or credentials to call AWS with (Error: Region is missing); pass --region and --profile (or set AWS_REGION and AWS_PROFILE), or --endpoint with the URL of an emulator, such as the one npm start prints',
    );
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(translateAwsError(noCredentials)).toMatchObject({ code: 'AWS_CONFIGURATION_MISSING', retryable: false });
  });

  it('keeps any other refusal as an AwsServiceError with its name, retryable for server faults and what the SDK marks retryable only', () => {
    const invalid = translateAwsError(sdkError('InvalidParameterValue', 'bad delay'), local);
    expect(invalid).toBeInstanceOf(AwsServiceError);
    expect(invalid).toMatchObject({ code: 'AWS_CALL_FAILED', awsName: 'InvalidParameterValue', retryable: false });
    expect(invalid.message).toBe('http://127.0.0.1:4566 refused the call: InvalidParameterValue: bad delay');
    expect(translateAwsError(sdkError('InternalError', 'oops', 'server'))).toMatchObject({ retryable: true });
    expect(translateAwsError(sdkError('RequestTimeout', 'late', 'client', { throttling: false }))).toMatchObject({ retryable: true });
  });

  it("returns Postbox's own errors as they are", () => {
    const own = new DeliveryError('m-1', 'payment.received', 'topic t', 'because');
    expect(translateAwsError(own)).toBe(own);
  });

  it('names the endpoint a client calls as its URL, or AWS when it calls AWS itself', async () => {
    await expect(endpointOf(new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' }))).resolves.toBe('http://127.0.0.1:4566');
    await expect(endpointOf(new SQSClient({ region: 'us-east-1' }))).resolves.toBe('AWS');
  });

  it("takes an answer the SDK could not parse (a proxy's HTML 502 page) for a server's fault, to be tried again", () => {
    const html = Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 502 } });
    expect(translateAwsError(html)).toMatchObject({ code: 'AWS_CALL_FAILED', retryable: true });
    expect(translateAwsError(new SyntaxError('Unexpected token <'))).toMatchObject({ retryable: true });
  });

  it("names SNS's AuthorizationErrorException as access denied", () => {
    expect(translateAwsError(sdkError('AuthorizationErrorException', 'not authorized to perform SNS:Publish'))).toBeInstanceOf(AccessDeniedError);
  });

  it('names the endpoint of AWS_ENDPOINT_URL for a client given none, as the SDK sends there', async () => {
    expect(await endpointOf({ config: {} }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toBe('http://127.0.0.1:4566');
    expect(await endpointOf({ config: {} }, {})).toBe('AWS');
  });
});
