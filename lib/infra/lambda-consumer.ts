import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { mergeFunctionProps } from './cdk-overrides.ts';
import { lambdaBundling } from './lambda-bundling.ts';
import { TOPOLOGY_DEFAULTS } from '../topology/topology-defaults.ts';

/** The variables every consumer function has besides those it is given. */
export const CONSUMER_ENVIRONMENT = { NODE_OPTIONS: '--enable-source-maps' } as const;

export interface LambdaConsumerProps {
  /** Absolute path of the handler's entry file. */
  readonly entry: string;
  /** Queue the function consumes. */
  readonly queue: sqs.IQueue;
  /**
   * Function timeout; the queue's visibility timeout must cover it.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Function memory in MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Records per invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Time the event source may wait to fill a batch.
   * @default no batching window
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations the event source starts (2 to 1000), in on-demand mode.
   * @default 10, unless provisionedPollers is given (Lambda takes one or the other)
   */
  readonly maxConcurrency?: number;
  /**
   * Provisioned mode of the event source: `minimum` event pollers (2 to 200) always kept ready, and billed whether
   * busy or not, scaling to `maximum` (2 to 2000). Not with maxConcurrency.
   * @default on-demand mode (Lambda scales the pollers, bounded by maxConcurrency)
   */
  readonly provisionedPollers?: { readonly minimum: number; readonly maximum: number };
  /**
   * Environment variables of the function.
   * @default none besides NODE_OPTIONS=--enable-source-maps
   */
  readonly environment?: Record<string, string>;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Lock file that esbuild bundling resolves the project from.
   * @default the lock file found above the entry
   */
  readonly depsLockFilePath?: string;
  /**
   * Description of the function.
   * @default none
   */
  readonly description?: string;
  /**
   * AWS X-Ray active tracing (`Tracing.ACTIVE`), its role granted xray:PutTraceSegments and
   * xray:PutTelemetryRecords as CDK grants them: Lambda then continues the `AWSTraceHeader` that SQS gives a
   * message sent with X-Ray tracing on.
   * @default false: no X-Ray tracing
   */
  readonly activeTracing?: boolean;
  /**
   * The CDK's function props merged over Postbox's (e.g. `reservedConcurrentExecutions`, `vpc`, `layers`); its
   * `environment` is added to Postbox's. A property Postbox owns (entry, runtime, what the topology declares, role,
   * log group, bundling, POSTBOX_ variables) is refused with an OwnedPropertyError.
   * @default none
   */
  readonly functionProps?: Partial<nodejs.NodejsFunctionProps>;
}

/**
 * A Lambda function that consumes an SQS queue in batches and reports partial
 * batch failures, so one bad record never fails its whole batch. Bundled with
 * esbuild (minified ESM with source maps) for Node.js 22 on arm64, with its own
 * log group of bounded retention and a role that can write only to it.
 */
export class LambdaConsumer extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly eventSource: eventSources.SqsEventSource;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LambdaConsumerProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role scoped to this log group, instead of the AWS managed
    // basic execution policy that may write to every log group of the account.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new nodejs.NodejsFunction(this, 'Function', mergeFunctionProps(this.node.path, {
      entry: props.entry,
      ...(props.depsLockFilePath && { depsLockFilePath: props.depsLockFilePath }),
      ...(props.description && { description: props.description }),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? TOPOLOGY_DEFAULTS.lambda.memoryMb,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...CONSUMER_ENVIRONMENT, ...props.environment },
      bundling: lambdaBundling,
      ...(props.activeTracing && { tracing: lambda.Tracing.ACTIVE }),
    }, props.functionProps));
    if (props.activeTracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords, which active tracing grants, have no resource-level permissions.',
      });
    }
    this.eventSource = new eventSources.SqsEventSource(props.queue, {
      batchSize: props.batchSize ?? TOPOLOGY_DEFAULTS.lambda.batchSize,
      ...(props.maxBatchingWindow && props.maxBatchingWindow.toSeconds() > 0 && { maxBatchingWindow: props.maxBatchingWindow }),
      // Both given: the CDK refuses them, as Lambda does.
      ...(props.provisionedPollers && { provisionedPollerConfig: { minimumPollers: props.provisionedPollers.minimum, maximumPollers: props.provisionedPollers.maximum } }),
      ...((props.maxConcurrency !== undefined || !props.provisionedPollers) && { maxConcurrency: props.maxConcurrency ?? TOPOLOGY_DEFAULTS.lambda.maxConcurrency }),
      reportBatchItemFailures: true,
    });
    this.function.addEventSource(this.eventSource);
  }

  /** Invocations that ended in an error. */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** Invocations refused for lack of concurrency. */
  metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** Invocations. */
  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** Duration of invocations (p99). */
  metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricDuration({ period: Duration.minutes(5), statistic: 'p99', ...props });
  }
}
