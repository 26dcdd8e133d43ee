import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface JobLockTableProps {
  /** Physical name, namespaced by app and stage (`jobLockTableName`). */
  readonly tableName: string;
  /**
   * What becomes of the table when the stack is deleted. A lock lives at most
   * a lease, so there is nothing to keep.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The DynamoDB table behind `DynamoDbJobLock`: one item per job key while a
 * unique job runs, so no two workers run it at once. On-demand (an idle table
 * costs nothing), encrypted, with TTL on `expiresAt` to sweep the locks of
 * workers that died holding them.
 */
export class JobLockTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: JobLockTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: 'jobKey', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions::AwsSolutions-DDB3',
      reason: 'Items are locks that live at most a lease; there is nothing to restore to a point in time.',
    });
  }

  /** Lets `grantee` take and release locks, and nothing else. */
  grantLocking(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:DeleteItem');
  }
}
