import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs the CDK app as `cdk synth` does, with the environment the CLI sets, into a directory removed afterwards. */
async function runApp(context: Record<string, unknown>, environment: Record<string, string>) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'postbox-app-'));
  try {
    const result = await run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      env: { ...process.env, ...environment, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }) },
    }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    const templateFile = path.join(outdir, 'orders-dev.template.json');
    return { ...result, template: existsSync(templateFile) ? JSON.parse(readFileSync(templateFile, 'utf8')) : undefined };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The example stack's template. */
async function synthesize(context: Record<string, unknown>, cliEnvironment: Record<string, string>) {
  const { code, stderr, template } = await runApp(context, cliEnvironment);
  expect(code, stderr).toBe(0);
  return template;
}

/** What a refused synthesis says: its exit code and stderr's lines. */
async function refusal(context: Record<string, unknown>, environment: Record<string, string> = {}) {
  const { code, stderr } = await runApp(context, environment);
  return { code, lines: stderr.split('\n').filter((line) => line.trim() !== '') };
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

  it('refuses a region or account that cannot be one, saying which and what to pass in one line, with exit 2', async () => {
    expect(await refusal({ region: 'mars-1' })).toEqual({
      code: 2,
      lines: ["postbox: context 'region' is 'mars-1', not an AWS region name such as eu-west-1; pass -c region=<region>, or leave it out for a template that deploys to any region"],
    });
    expect(await refusal({ account: '12345' })).toEqual({
      code: 2,
      lines: ["postbox: context 'account' is '12345', not a 12-digit AWS account id; pass -c account=<id>, or leave it out for a template that deploys to any account"],
    });
  });

  it('checks -c alarmEmail= as an e-mail address, as the config\'s is', async () => {
    expect(await refusal({ alarmEmail: '' })).toEqual({
      code: 2,
      lines: ["postbox: context 'alarmEmail' is '', not an e-mail address; pass -c alarmEmail=ops@example.com, or leave it out to use the config's"],
    });
    const template = await synthesize({ alarmEmail: 'ops@example.com' }, {});
    expect(Object.values(template.Resources).filter((resource: any) => resource.Type === 'AWS::SNS::Subscription' && resource.Properties.Protocol === 'email')).toEqual([
      expect.objectContaining({ Properties: expect.objectContaining({ Endpoint: 'ops@example.com' }) }),
    ]);
  });

  it('checks -c stage= as a stage name, in one line with exit 2', async () => {
    expect(await refusal({ stage: 'Prod_1' })).toEqual({
      code: 2,
      lines: ["postbox: context 'stage' is 'Prod_1', not a stage name: use lower-case letters, digits and hyphens, starting with a letter (-c stage=prod)"],
    });
  });

  it('says a missing config in one line, with exit 2, rather than in a stack trace', async () => {
    const { code, lines } = await refusal({}, { POSTBOX_CONFIG: 'no-such.config.ts' });
    expect(code).toBe(2);
    expect(lines).toEqual([expect.stringMatching(/^postbox: .*no-such\.config\.ts/)]);
  });
});
