import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * One queue policy for the queues of one handler (main queue, dead-letter queue, SNS delivery dead-letter
 * queue) instead of one per queue: it refuses plain HTTP on all of them, and holds the statement that lets the
 * subscribed topic deliver. Per handler, not per group of handlers: SQS limits a policy to 8 KiB and 20
 * statements, and each subscription needs its own statement naming its own topic.
 *
 * Only for queues made without a policy of their own (`enforceSSL` off, and imported references given to
 * whatever calls `addToResourcePolicy`): CloudFormation applies the last policy it deploys to a queue, and
 * deleting a policy clears the queue's.
 */
export class SharedQueuePolicy extends Construct {
  readonly document = new iam.PolicyDocument();
  readonly policy: sqs.CfnQueuePolicy;
  private readonly denyInsecure = new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['sqs:*'],
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
  });

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.document.addStatements(this.denyInsecure);
    this.policy = new sqs.CfnQueuePolicy(this, 'Resource', {
      policyDocument: this.document,
      queues: [],
    });
  }

  /** Puts the queue under this policy, which refuses it plain HTTP. */
  addQueue(queue: sqs.IQueue): void {
    // A plain list, not a lazy one: cdk-nag reads the queues of a policy to find the queue's TLS-only statement.
    this.policy.queues = [...this.policy.queues, queue.queueUrl];
    this.denyInsecure.addResources(queue.queueArn);
  }

  addStatement(statement: iam.PolicyStatement): void {
    this.document.addStatements(statement);
  }
}
