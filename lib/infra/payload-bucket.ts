import { Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { ConfigError } from '../config/config-error.ts';
import { MAX_RETENTION_SECONDS, PAYLOAD_KEY_PREFIX } from '../messages/wire-contract.ts';
import { MAX_BUCKET_NAME_LENGTH } from '../topology/naming.ts';

export interface PayloadBucketProps {
  /**
   * Physical name; S3 names are global, so it should name the account and region (`payloadBucketName`).
   * @default a name CloudFormation makes
   */
  readonly bucketName?: string;
  /**
   * How long a payload is kept after it is stored: longer than its message may wait on its queue and then in
   * its dead-letter queue, so that a redriven message still finds it. Consumers never delete payloads.
   * @default 15 days: SQS's longest retention, 14 days, and a day's margin
   */
  readonly expiration?: Duration;
  /**
   * What becomes of the bucket when the stack is deleted. Its payloads are as transient as the queues' messages,
   * which are deleted with the stack; a bucket that still holds payloads makes the deletion fail, saying so.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The bucket of the payloads over their destination's limit (claim check):
 * no public access, encrypted (SSE-S3, which needs no key grant), TLS 1.2 or
 * later only, object ownership enforced, and each payload expired by a
 * lifecycle rule once no message can still point to it. Every payload is under
 * `payloads/`, and the grants are limited to it.
 */
export class PayloadBucket extends Construct {
  readonly bucket: s3.Bucket;
  /** The key prefix of every payload; grants cover it and nothing else. */
  readonly keyPrefix = PAYLOAD_KEY_PREFIX;
  readonly expiration: Duration;

  constructor(scope: Construct, id: string, props: PayloadBucketProps = {}) {
    super(scope, id);
    // Refused at synthesis, not at deploy: a name made from an app, a stage, an account and a region can outgrow S3's limit.
    const name = props.bucketName;
    if (name !== undefined && !Token.isUnresolved(name) && name.length > MAX_BUCKET_NAME_LENGTH) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `stack ${Stack.of(this).stackName}: the payload bucket's name ${name} is ${name.length} characters, over S3's ${MAX_BUCKET_NAME_LENGTH}; ` +
          `shorten the app or stage name by ${name.length - MAX_BUCKET_NAME_LENGTH} characters`,
      );
    }
    this.expiration = props.expiration ?? Duration.seconds(MAX_RETENTION_SECONDS).plus(Duration.days(1));
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...(props.bucketName && { bucketName: props.bucketName }),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpirePayloads', prefix: `${this.keyPrefix}/`, expiration: this.expiration, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'Payloads are transient copies of messages, read only by the stack’s own roles; audit object access with CloudTrail data events where needed.',
    });
  }

  /** Lets `grantee` store payloads (s3:PutObject under the prefix), and nothing else: a Publisher neither reads nor lists them. */
  grantWritePayloads(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [this.bucket.arnForObjects(`${this.keyPrefix}/*`)] });
    this.acknowledgePrefix(grantee);
    return grant;
  }

  /**
   * Lets `grantee` read payloads: s3:GetObject under the prefix, and s3:ListBucket of the prefix only, without which
   * S3 answers a read of a gone payload with 403 rather than 404, and the consumer could not tell it from a denial.
   */
  grantReadPayloads(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.bucket.arnForObjects(`${this.keyPrefix}/*`)] }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${this.keyPrefix}/*` } },
      }),
    );
    this.acknowledgePrefix(grantee);
    return grant;
  }

  /** The objects of one prefix can only be named with a wildcard: cdk-nag's IAM5 is told so on the grantee's policy. */
  private acknowledgePrefix(grantee: iam.IGrantable): void {
    const bucket = this.bucket.node.defaultChild as s3.CfnBucket;
    // In a nested stack (a stack group's consumer) the ARN is the parameter CDK names after the bucket's path.
    const arn = Stack.of(grantee.grantPrincipal as unknown as IConstruct) === Stack.of(this) ? `${Stack.of(this).getLogicalId(bucket)}.Arn` : `referenceto${Names.uniqueId(bucket)}Arn`;
    Validations.of(grantee.grantPrincipal as unknown as IConstruct).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${arn}>/${this.keyPrefix}/*]`,
      reason: `Payloads are keyed by message (${this.keyPrefix}/<message id>/<unique id>); the grant is limited to that prefix of the stack's own payload bucket.`,
    });
  }
}
