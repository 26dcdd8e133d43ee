import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { lintTemplate } from '../helpers/cfn-lint.ts';
import { ledgerTopology } from '../fixtures/ledger-service/ledger-topology.ts';

const env = { account: '111111111111', region: 'eu-west-1' };
const root = path.resolve(import.meta.dirname, '../..');
const topologyModule = path.join(root, 'test/fixtures/ledger-service/ledger-topology.ts');
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('the worker of handlers of kind http', () => {
  const stack = new MessagingStack(appWithoutBundling(), 'ledger-dev', { topology: ledgerTopology, stage: 'dev', env });
  const template = Template.fromStack(stack);
  const taskRole = stack.getLogicalId(stack.workers!.taskDefinition.taskRole.node.defaultChild as never);
  const statementsOf = (service: string) =>
    (Object.values(template.findResources('AWS::IAM::Policy')) as any[])
      .filter((policy) => policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === taskRole))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => JSON.stringify(statement.Action).includes(`${service}:`));

  it('gets secretsmanager:GetSecretValue on exactly each Secrets Manager secret, by name or by ARN, and nothing for an env secret', () => {
    expect(statementsOf('secretsmanager')).toEqual([
      {
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:ledger/audit-AbCdEf', partitionArn(':secretsmanager:eu-west-1:111111111111:secret:ledger/webhook-??????')],
      },
    ]);
  });

  it('gets execute-api:Invoke of POST on exactly the SigV4-signed API resource', () => {
    expect(statementsOf('execute-api')).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: partitionArn(':execute-api:eu-west-1:111111111111:a1b2c3d4e5/prod/POST/ledger/close') }]);
  });

  it('passes cdk-nag and cfn-lint with its serverless rules', async () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-http-')), context: { 'aws:cdk:bundling-stacks': [] } });
    const checked = new MessagingStack(app, 'ledger-dev', { topology: ledgerTopology, stage: 'dev', env });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);
    expect((await lintTemplate(assembly.getStackByName(checked.stackName).templateFullPath)).blocking).toEqual([]);
  });

  it('bundles the topology module alone into the worker image when no workers module is given', () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-http-image-')) });
    const bundled = new MessagingStack(app, 'ledger-dev', { topology: ledgerTopology, stage: 'dev', env, projectRoot: root, topologyModule });
    const directory = path.join(app.synth().directory, `${bundled.artifactId}.worker-image`);
    const sources: string[] = JSON.parse(readFileSync(path.join(directory, 'postbox-worker.mjs.map'), 'utf8')).sources;
    expect(sources).toContain('test/fixtures/ledger-service/ledger-topology.ts');
    expect(sources).toContain('lib/runtime/consuming/http-delivery/declared-http-handler.ts');
  });

  it('still asks for a workers module when a worker queue is not of kind http', () => {
    const topology = { ...ledgerTopology, commandHandlers: { ...ledgerTopology.commandHandlers, 'ledger.note': { handler: { kind: 'worker' } } } } as never;
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'postbox-http-image-')) });
    expect(() => new MessagingStack(app, 'ledger-dev', { topology, stage: 'dev', env, projectRoot: root, topologyModule })).toThrow(/no workers module for its worker image/);
  });
});
