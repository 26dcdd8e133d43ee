import { describe, expect, it } from 'vitest';
import { decideOnFailure } from '../../lib/runtime/consuming/failure-policy.ts';
import { translateAwsError } from '../../lib/aws/aws-errors.ts';
import { PayloadFetchError, PayloadMissingError, PayloadStoreError } from '../../lib/runtime/payloads/payload-errors.ts';

const pointer = { bucket: 'pay-dev-payloads-111111111111-eu-west-1', key: 'payloads/e-1/u-1' };
const sdkError = (name: string, fault: 'client' | 'server' = 'client') => Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: {} });
const context = { object: `s3://${pointer.bucket}/${pointer.key}`, endpoint: 'AWS' };
const settings = { maxReceiveCount: 5, backoff: { baseSeconds: 1, capSeconds: 10 } };

describe('the payload errors', () => {
  it('dead-letter a message whose payload is gone at once, naming where it was', () => {
    const error = new PayloadMissingError('m-1', pointer);
    expect(decideOnFailure(error, 'm-1', 1, settings)).toMatchObject({ action: 'dead-letter', error });
    expect(error.message).toMatch(/^Message m-1 points to its payload at s3:\/\/pay-dev-payloads-111111111111-eu-west-1\/payloads\/e-1\/u-1, which does not exist/);
  });

  it('retry a read S3 throttled or failed on its side, and dead-letter a denied one, saying which grant it needs', () => {
    const throttled = new PayloadFetchError('m-1', pointer, translateAwsError(sdkError('SlowDown'), context));
    expect(decideOnFailure(throttled, 'm-1', 1, settings).action).toBe('retry');
    expect(throttled.message).toMatch(/could not be read: .*throttled.*It is tried again after its backoff\.$/);
    expect(decideOnFailure(new PayloadFetchError('m-1', pointer, translateAwsError(sdkError('InternalError', 'server'), context)), 'm-1', 1, settings).action).toBe('retry');
    const denied = new PayloadFetchError('m-1', pointer, translateAwsError(sdkError('AccessDenied'), context));
    expect(decideOnFailure(denied, 'm-1', 1, settings).action).toBe('dead-letter');
    expect(denied.message).toMatch(/Grant the consumer's role s3:GetObject on the payload bucket .* then redrive the message\.$/);
  });

  it('say, when a payload could not be stored, that its message was not sent and what to check', () => {
    const error = new PayloadStoreError('e-1', pointer, translateAwsError(sdkError('NoSuchBucket'), context));
    expect(error.code).toBe('PAYLOAD_STORE_FAILED');
    expect(error.message).toMatch(/^the payload of message e-1 could not be stored at s3:\/\/.*, so the message was not sent: object .* does not exist .*Check that the bucket exists/);
  });
});
