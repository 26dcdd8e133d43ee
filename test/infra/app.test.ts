import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs the CDK app as `cdk synth` does, with the environment the CLI sets, and returns the example stack's template. */
async function synthesize(context: Record<string, unknown>, cliEnvironment: Record<string, string>) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'postbox-app-'));
  await run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    env: {
      ...process.env,
      ...cliEnvironment,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
    },
  });
  return JSON.parse(readFileSync(path.join(outdir, 'orders-dev.template.json'), 'utf8'));
}

/** JSON paths of the template's strings that contain `needle`. */
function pathsContaining(value: unknown, needle: string, at = ''): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [at] : [];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, child]) => pathsContaining(child, needle, `${at}/${key}`));
  return [];
}

const logOptions = (template: any) =>
  (Object.values(template.Resources) as any[]).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition').Properties.ContainerDefinitions[0]
    .LogConfiguration.Options;

describe('the CDK app', () => {
  it("is environment-agnostic: the region and account the CLI falls back to (us-east-1 without a configured region) appear nowhere, only as AWS::Region and AWS::AccountId", async () => {
    const template = await synthesize({}, { CDK_DEFAULT_REGION: 'us-east-1', CDK_DEFAULT_ACCOUNT: '111111111111' });
    expect(pathsContaining(template, 'us-east-1')).toEqual([]);
    expect(pathsContaining(template, '111111111111')).toEqual([]);
    expect(logOptions(template)['awslogs-region']).toEqual({ Ref: 'AWS::Region' });
  });

  it('pins the account and region given with -c account=… -c region=…', async () => {
    const template = await synthesize({ account: '222222222222', region: 'eu-central-1' }, { CDK_DEFAULT_REGION: 'us-east-1' });
    expect(logOptions(template)['awslogs-region']).toBe('eu-central-1');
    expect(pathsContaining(template, 'us-east-1')).toEqual([]);
  });

  it('refuses a region or account that cannot be one, saying which and what to pass', async () => {
    await expect(synthesize({ region: 'Europe' }, {})).rejects.toThrow(
      "context 'region' is 'Europe', not an AWS region name such as eu-west-1; pass -c region=<region>, or leave it out for a template that deploys to any region",
    );
    await expect(synthesize({ account: '12345' }, {})).rejects.toThrow(
      "context 'account' is '12345', not a 12-digit AWS account id; pass -c account=<id>, or leave it out for a template that deploys to any account",
    );
  });
});
