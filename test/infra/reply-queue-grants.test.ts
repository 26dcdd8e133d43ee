import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { reportsTopology } from '../fixtures/reports-service/reports-topology.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const repliesArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:eu-west-1:111111111111:reports-dev-replies-*']] };

function reportsStack(app = appWithoutBundling()) {
  const stack = new MessagingStack(app, 'reports-dev', { topology: reportsTopology, stage: 'dev', env, projectRoot: 'test/fixtures/reports-service' });
  const web = new iam.Role(stack, 'Web', { assumedBy: new iam.AccountRootPrincipal() });
  stack.grantRequest(web);
  return { stack, web };
}

/** Every statement of the policies attached to a role. */
function statementsOf(template: Template, stack: MessagingStack, role: iam.IRole): Array<{ Action: string | string[]; Resource: unknown }> {
  const roleId = stack.getLogicalId(role.node.defaultChild as never);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('the grants of request-reply', () => {
  const { stack, web } = reportsStack();
  const template = Template.fromStack(stack);

  it("lets a requester make, read and delete its reply queue under the stage's prefix, and send the commands", () => {
    const statements = statementsOf(template, stack, web);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['sqs:CreateQueue', 'sqs:SetQueueAttributes', 'sqs:DeleteQueue', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'],
      Resource: repliesArn,
    });
    const commandQueues = ['report-generate', 'report-archive'].map((id) => ({ 'Fn::GetAtt': [stack.getLogicalId(stack.queues.get(id)!.queue.node.defaultChild as never), 'Arn'] }));
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: commandQueues });
  });

  it('lets the Lambda handler and the worker tasks of replying commands send to the reply queues, and nothing more of them', () => {
    const replyingRoles = [stack.consumers.get('report-generate')!.role, stack.workers!.taskDefinition.taskRole];
    for (const role of replyingRoles) {
      const toReplies = statementsOf(template, stack, role).filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(repliesArn));
      expect(toReplies).toEqual([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: repliesArn }]);
    }
  });

  it('passes the AwsSolutions checks of cdk-nag', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    reportsStack(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const report = JSON.parse(readFileSync(path.join(app.synth().directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
  });
});
