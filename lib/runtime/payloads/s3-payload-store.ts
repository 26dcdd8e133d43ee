import type { S3Client } from '@aws-sdk/client-s3';
import { payloadLocation, type PayloadPointer } from '../../messages/payload-pointer.ts';
import { awsClientConfig, type AwsClientOptions } from '../../aws/aws-client-config.ts';
import { endpointOf, ObjectDoesNotExistError, translateAwsError } from '../../aws/aws-errors.ts';
import { isEmulatorEndpoint } from '../../aws/local-endpoint.ts';
import { PayloadFetchError, PayloadMissingError, PayloadStoreError } from './payload-errors.ts';

type S3Sdk = typeof import('@aws-sdk/client-s3');

/** Where payloads over their destination's limit are kept: the claim check's store. */
export interface PayloadStore {
  /** @throws PayloadStoreError */
  put(messageId: string, pointer: PayloadPointer, payload: string): Promise<void>;
  /** @throws PayloadMissingError when the object is gone, PayloadFetchError when it could not be read */
  get(messageId: string, pointer: PayloadPointer): Promise<string>;
}

/**
 * Payloads in S3. The SDK is loaded on first use only, so a consumer that
 * never meets a pointer never pays for loading it (see `npm run bench`).
 */
export class S3PayloadStore implements PayloadStore {
  private sdk: Promise<S3Sdk> | undefined;

  /**
   * @param s3 the client to use; by default one is made on first use, for AWS_ENDPOINT_URL and AWS_REGION
   *   (path-style at an emulator, whose host names no bucket)
   */
  constructor(
    private s3?: S3Client,
    private readonly clientOptions: AwsClientOptions = {},
    /** Where the client made by default goes when `clientOptions` names no endpoint: the Publisher's SNS client's. */
    private readonly endpointOfOwner?: () => Promise<string | undefined>,
  ) {}

  async put(messageId: string, pointer: PayloadPointer, payload: string): Promise<void> {
    const { sdk, client } = await this.client();
    try {
      await client.send(new sdk.PutObjectCommand({ Bucket: pointer.bucket, Key: pointer.key, Body: payload, ContentType: 'application/json' }));
    } catch (error) {
      throw new PayloadStoreError(messageId, pointer, translateAwsError(error, { object: payloadLocation(pointer), endpoint: await endpointOf(client) }));
    }
  }

  async get(messageId: string, pointer: PayloadPointer): Promise<string> {
    const { sdk, client } = await this.client();
    try {
      const { Body } = await client.send(new sdk.GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
      return (await Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      const translated = translateAwsError(error, { object: payloadLocation(pointer), endpoint: await endpointOf(client) });
      if (translated instanceof ObjectDoesNotExistError) throw new PayloadMissingError(messageId, pointer, { cause: translated });
      throw new PayloadFetchError(messageId, pointer, translated);
    }
  }

  private async client(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    this.sdk ??= import('@aws-sdk/client-s3');
    const sdk = await this.sdk;
    if (!this.s3) {
      const given = this.clientOptions.endpoint ?? (await this.endpointOfOwner?.());
      const endpoint = given ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
      this.s3 = new sdk.S3Client({ ...awsClientConfig({ ...this.clientOptions, ...(given && { endpoint: given }) }), forcePathStyle: isEmulatorEndpoint(endpoint) });
    }
    return { sdk, client: this.s3 };
  }
}
