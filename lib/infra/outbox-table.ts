import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { lambdaBundling } from './lambda-bundling.ts';
import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';
import { OUTBOX_KEY, OUTBOX_STATUS_ATTRIBUTE, OUTBOX_TTL_ATTRIBUTE } from '../runtime/publishing/outbox/outbox-item.ts';
import { OUTBOX_METRICS } from '../runtime/publishing/outbox/outbox-metrics.ts';

export interface OutboxTableProps {
  /** Physical name, namespaced by app and stage (`outboxTableName`). */
  readonly tableName: string;
  /** Environment of the relay function besides the table's name (the stage, the account). @default none */
  readonly environment?: Record<string, string>;
  /**
   * What becomes of the table when the stack is deleted: it may hold messages not yet sent, and dead letters.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Times Lambda gives a failed batch again (halving it each time) before it gives up on its records.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Lock file that esbuild bundling resolves the relay from.
   * @default the lock file found above the relay's entry
   */
  readonly depsLockFilePath?: string;
}

/**
 * The transactional outbox of `DynamoDbOutboxStore`: an encrypted table (point-in-time recovery, TTL on dead
 * letters) whose stream of new images drives the relay function. The event source hands it only pending records,
 * bisects a failing batch, takes partial batch failures, and sends what it gave up on (stream metadata) to a
 * failure queue that alarms. The relay's function publishes; `MessagingStack` grants it the topics and queues.
 */
export class OutboxTable extends Construct {
  readonly table: dynamodb.Table;
  readonly relay: nodejs.NodejsFunction;
  readonly relayRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Where Lambda records the stream batches it gave up on: their records stay pending in the table. */
  readonly failureQueue: sqs.Queue;
  readonly eventSource: eventSources.DynamoEventSource;

  constructor(scope: Construct, id: string, props: OutboxTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: OUTBOX_KEY.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: OUTBOX_KEY.sort, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: OUTBOX_TTL_ATTRIBUTE,
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.failureQueue = new sqs.Queue(this, 'RelayFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'It is the on-failure destination of the outbox stream: a dead-letter queue itself, watched by an alarm.',
    });
    this.logGroup = new logs.LogGroup(this, 'RelayLogGroup', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    // A role scoped to this log group, instead of the managed basic execution policy that writes to any.
    this.relayRole = new iam.Role(this, 'RelayRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.relayRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));
    this.relay = new nodejs.NodejsFunction(this, 'Relay', {
      entry: relayEntry(),
      ...(props.depsLockFilePath && { depsLockFilePath: props.depsLockFilePath }),
      description: `Publishes the messages of outbox ${props.tableName}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(60),
      memorySize: 256,
      role: this.relayRole,
      logGroup: this.logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment, [DEPLOYED_ENVIRONMENT.outboxTable]: props.tableName },
      bundling: lambdaBundling,
    });
    this.eventSource = new eventSources.DynamoEventSource(this.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: props.retryAttempts ?? 10,
      maxRecordAge: Duration.days(1),
      onFailure: new eventSources.SqsDlq(this.failureQueue),
      // Only inserts and replays of pending records: the relay's own deletes and dead-lettering need no relaying.
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
          dynamodb: { NewImage: { [OUTBOX_STATUS_ATTRIBUTE]: { S: lambda.FilterRule.isEqual('pending') } } },
        }),
      ],
    });
    this.relay.addEventSource(this.eventSource);
    Validations.of(this.relayRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams, which the stream event source needs, has no resource-level permissions.',
    });
    // The relay deletes what it sent and rewrites what it dead-lettered.
    this.table.grant(this.relayRole, 'dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem');
  }

  /**
   * Lets `grantee` write outbox records: `Outbox.transactWrite` (TransactWriteItems authorises each of its puts as
   * dynamodb:PutItem) and a Publisher's send dead-letter. Grant the business tables of the transaction yourself.
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:PutItem');
  }

  /** Sends the relay dead-lettered, per 5 minutes (from its embedded metrics). */
  metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.relayMetric(OUTBOX_METRICS.deadLettered, props);
  }

  /** Messages the relay sent, per 5 minutes. */
  metricSent(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.relayMetric(OUTBOX_METRICS.sent, props);
  }

  /** Stream batches Lambda gave up on: their records are still pending in the table (see docs/outbox.md). */
  metricAbandonedBatches(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.failureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
  }

  /** How far the relay is behind the stream (ms, maximum). */
  metricIteratorAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.relay.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum', ...props });
  }

  /** Relay invocations that failed as a whole. */
  metricRelayErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.relay.metricErrors({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  private relayMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: OUTBOX_METRICS.namespace,
      metricName,
      dimensionsMap: { [OUTBOX_METRICS.dimension]: this.table.tableName },
      period: Duration.minutes(5),
      statistic: 'Sum',
      ...props,
    });
  }
}

/** The relay's entry beside this module: TypeScript in the repository, JavaScript in the published package. */
function relayEntry(): string {
  const typescript = fileURLToPath(new URL('../runtime/publishing/outbox/outbox-relay-entry.ts', import.meta.url));
  return existsSync(typescript) ? typescript : typescript.replace(/\.ts$/, '.js');
}
