import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import type { StageProfile } from '../../lib/config/stage-profile.ts';
import { createMessagingApp } from '../../lib/infra/messaging-app.ts';
import { lintTemplate } from '../helpers/cfn-lint.ts';

// The serverless rules' findings accepted for Postbox, and why, are POSTBOX_FALSE_POSITIVES in
// test/helpers/cfn-lint.ts: ES6000 (a DLQ has no DLQ), ES1001 (SQS event sources take no on-failure
// destination), WS1004 (the rule misses LoggingConfig log groups), WS1000 (Postbox writes no X-Ray segments).

/** The root project's stack (the orders example, with cdk-nag and the outbox), synthesized as `cdk synth` does, less the bundling. */
async function synthesizeExample(profile: StageProfile): Promise<string> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'postbox-cfn-lint-'));
  const { app, stack } = await createMessagingApp({ app: new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }), stack: { outbox: true }, profile });
  return app.synth().getStackByName(stack.stackName).templateFullPath;
}

describe('cfn-lint with its serverless rules', () => {
  it.each(['production', 'development'] as const)("finds no error and no serverless warning in the example's template under the %s profile, beyond the false positives named for Postbox", async (profile) => {
    const { findings, blocking } = await lintTemplate(await synthesizeExample(profile));
    expect(findings.length).toBeGreaterThan(0);
    expect(blocking).toEqual([]);
  });

  it('still reports a queue without a redrive policy that is no dead-letter queue, and a plain template error', async () => {
    const templatePath = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-cfn-lint-')), 'template.json');
    const template = {
      Resources: {
        Orphan: { Type: 'AWS::SQS::Queue', Properties: {} },
        Main: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetter', 'Arn'] }, maxReceiveCount: 5 } } },
        DeadLetter: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'two weeks' } },
      },
    };
    writeFileSync(templatePath, JSON.stringify(template, null, 2));
    const { blocking } = await lintTemplate(templatePath);
    expect(blocking.map(({ ruleId, path }) => `${ruleId} ${path[1]}`).sort()).toEqual(expect.arrayContaining(['ES6000 Orphan']));
    expect(blocking.some(({ ruleId, path }) => ruleId === 'ES6000' && path[1] !== 'Orphan')).toBe(false);
    expect(blocking.some(({ level, path }) => level === 'Error' && path[1] === 'DeadLetter' && path[0] === 'Resources')).toBe(true);
  });
});
