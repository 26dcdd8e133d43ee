import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { PayloadBucket } from '../../lib/infra/payload-bucket.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { appWithoutBundling, emptyStack } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };

describe('PayloadBucket', () => {
  it('blocks public access, encrypts with SSE-S3 and owns its objects', () => {
    const stack = emptyStack();
    new PayloadBucket(stack, 'Payloads');
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('refuses every request over plain HTTP or below TLS 1.2', () => {
    const stack = emptyStack();
    new PayloadBucket(stack, 'Payloads');
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it('expires payloads after 15 days by default, or as given, and aborts unfinished uploads after a day', () => {
    const stack = emptyStack();
    new PayloadBucket(stack, 'Default');
    new PayloadBucket(stack, 'Given', { expiration: Duration.days(29), removalPolicy: RemovalPolicy.RETAIN });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket')).map((bucket) => bucket.Properties.LifecycleConfiguration.Rules);
    expect(rules).toEqual([
      [{ Id: 'ExpirePayloads', Prefix: 'payloads/', Status: 'Enabled', ExpirationInDays: 15, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
      [{ Id: 'ExpirePayloads', Prefix: 'payloads/', Status: 'Enabled', ExpirationInDays: 29, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
    ]);
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket')).map((bucket) => bucket.DeletionPolicy);
    expect(policies).toEqual(['Delete', 'Retain']);
  });

  it('grants writing and reading under its prefix only', () => {
    const stack = emptyStack();
    const payloads = new PayloadBucket(stack, 'Payloads');
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    payloads.grantWritePayloads(writer);
    payloads.grantReadPayloads(reader);
    const statementsOf = (role: iam.Role) =>
      Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
        .filter((policy) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === stack.getLogicalId(role.node.defaultChild as iam.CfnRole)))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const objects = stack.resolve(payloads.bucket.arnForObjects('payloads/*'));
    expect(statementsOf(writer)).toEqual([{ Effect: 'Allow', Action: 's3:PutObject', Resource: objects }]);
    expect(statementsOf(reader)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: stack.resolve(payloads.bucket.bucketArn), Condition: { StringLike: { 's3:prefix': 'payloads/*' } } },
    ]);
  });
});

describe('the payload bucket of MessagingStack', () => {
  it("is named for the app, stage, account and region, and keeps payloads past the longest queue's and its DLQ's retention", () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev', env });
    const template = Template.fromStack(stack);
    const longest = Math.max(...stack.topology.queues.map((queue) => queue.retentionSeconds + queue.deadLetterRetentionSeconds)) / 86_400;
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'orders-dev-payloads-111111111111-eu-west-1',
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: Math.ceil(longest) + 1 })] },
    });
  });

  it("refuses, naming the excess, an app and stage too long for S3's 63 characters with the account and region", () => {
    const long = { ...ordersTopology, app: 'a-rather-long-orders-application' };
    expect(() => new MessagingStack(appWithoutBundling(), 'long-dev', { topology: long, stage: 'development', env })).toThrowError(
      "stack long-dev: the payload bucket's name a-rather-long-orders-application-development-payloads-111111111111-eu-west-1 is 76 characters, over S3's 63; shorten the app or stage name by 13 characters",
    );
  });

  it('names the deploying account and region when synthesized without them', () => {
    const stack = new MessagingStack(appWithoutBundling(), 'orders-dev', { topology: ordersTopology, stage: 'dev' });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['orders-dev-payloads-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
    });
  });

  it('is not made for a service that publishes nothing: its consumers read their publishers’ buckets', () => {
    const Placed = z.object({ orderId: z.string() });
    const subscriberOnly = defineTopology({
      app: 'reader',
      events: { 'order.placed': { schema: Placed } },
      topics: {},
      externalTopics: { orders: { arn: 'arn:aws:sns:eu-west-1:333333333333:orders-prod-orders', events: ['order.placed'] } },
      subscribers: { charges: { topic: 'orders', events: ['order.placed'], handler: { kind: 'lambda', entry: 'functions/notifications.ts' } } },
    });
    const stack = new MessagingStack(appWithoutBundling(), 'reader-dev', { topology: subscriberOnly, stage: 'dev', env });
    expect(stack.payloads).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(fn!.Properties.Environment.Variables.POSTBOX_PAYLOAD_BUCKET).toBeUndefined();
  });
});
