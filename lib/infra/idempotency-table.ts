import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface IdempotencyTableProps {
  /** Physical name, namespaced by app and stage (`idempotencyTableName`). */
  readonly tableName: string;
  /**
   * What becomes of the table when the stack is deleted. Its records say which messages were handled: a
   * stack deleted and made again within their lifetime would run them again without them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The DynamoDB table behind `DynamoDbIdempotencyStore`: one item per handled message key (`<queue>#<key>`),
 * so a redelivery is acknowledged without running its handler again. On-demand (an idle table costs
 * nothing but its storage), encrypted, point-in-time recovery on (its items decide whether an effect
 * happens again), and TTL on `expiresAt`, which removes records past their lifetime.
 */
export class IdempotencyTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: 'key', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /** Lets `grantee` claim, complete and release records (and read one whose claim was refused), and nothing else. */
  grantRecords(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem');
  }
}
